#include "wisenet/infer/nearest_seed_cv.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/error.h"
#include "wisenet/infer/nearest_seed_screen.h"

namespace wisenet {

namespace {

std::string shape_of(const cv::Mat& m) {
  std::string s;
  for (int i = 0; i < m.dims; ++i) s += (i ? "x" : "") + std::to_string(m.size[i]);
  return s.empty() ? "empty" : s;
}

void check_grid(const cv::Mat& embeddings) {
  if (embeddings.dims != 3 || embeddings.type() != CV_32F) {
    throw Error("nearest_seed: embeddings must be a 3-D D x H x W CV_32F Mat, got " +
                shape_of(embeddings) + " of OpenCV type " + std::to_string(embeddings.type()));
  }
}

// Output pixel i of `out` along one axis, on a grid of `grid` nodes (align_corners): nodes i0
// and i1 with weights 1 - w1 and w1 (in double, and rounded to float for the screen). The
// position i (grid - 1) / (out - 1) is one correctly rounded division, so a grid as large as
// the output gives w1 = 0: each pixel is its own node.
struct Tap {
  int i0 = 0, i1 = 0;
  double w1 = 0;
  float f0 = 1, f1 = 0;
};

Tap tap(int i, int out, int grid) {
  const double src =
      out > 1 ? static_cast<double>(static_cast<int64_t>(i) * (grid - 1)) / (out - 1) : 0.0;
  Tap t;
  t.i0 = std::min(static_cast<int>(src), grid - 1);
  t.i1 = std::min(t.i0 + 1, grid - 1);
  t.w1 = t.i1 == t.i0 ? 0.0 : src - t.i0;
  t.f0 = static_cast<float>(1.0 - t.w1);
  t.f1 = static_cast<float>(t.w1);
  return t;
}

std::vector<Tap> taps(int out, int grid) {
  std::vector<Tap> t(out);
  for (int i = 0; i < out; ++i) t[i] = tap(i, out, grid);
  return t;
}

// e at (ty, tx) of a continuous D x gh x gw grid, in double.
void interpolate(const float* data, int dim, int gh, int gw, const Tap& ty, const Tap& tx,
                 double* out) {
  const size_t plane = static_cast<size_t>(gh) * gw;
  const size_t n00 = static_cast<size_t>(ty.i0) * gw + tx.i0, n01 = n00 + (tx.i1 - tx.i0);
  const size_t n10 = static_cast<size_t>(ty.i1) * gw + tx.i0, n11 = n10 + (tx.i1 - tx.i0);
  for (int d = 0; d < dim; ++d) {
    const float* g = data + d * plane;
    const double top = (1.0 - tx.w1) * g[n00] + tx.w1 * g[n01];
    const double bottom = (1.0 - tx.w1) * g[n10] + tx.w1 * g[n11];
    out[d] = (1.0 - ty.w1) * top + ty.w1 * bottom;
  }
}

}  // namespace

void interpolate_embedding(const cv::Mat& grid, cv::Size out_size, cv::Point pixel, double* out) {
  check_grid(grid);
  const cv::Mat g = grid.isContinuous() ? grid : grid.clone();
  interpolate(g.ptr<float>(), grid.size[0], grid.size[1], grid.size[2],
              tap(pixel.y, out_size.height, grid.size[1]),
              tap(pixel.x, out_size.width, grid.size[2]), out);
}

cv::Mat nearest_seed(const cv::Mat& embeddings, const cv::Mat& seeds, cv::Size out_size,
                     int object_count) {
  check_grid(embeddings);
  const int dim = embeddings.size[0], gh = embeddings.size[1], gw = embeddings.size[2];
  if (out_size.empty()) out_size = cv::Size(gw, gh);
  if (seeds.dims != 2 || (seeds.type() != CV_32F && seeds.type() != CV_64F) || seeds.rows < 1 ||
      seeds.cols != dim) {
    throw Error("nearest_seed: seeds must be a K x " + std::to_string(dim) +
                " CV_32F or CV_64F Mat with K >= 1, got " + shape_of(seeds) + " of OpenCV type " +
                std::to_string(seeds.type()));
  }
  const int count = seeds.rows, h = out_size.height, w = out_size.width;
  // The label of seed k: its index, or object_count for every background seed.
  const int objects = object_count < 0 ? count : std::min(object_count, count);
  const auto label_of = [objects](int k) { return std::min(k, objects); };
  const cv::Mat e = embeddings.isContinuous() ? embeddings : embeddings.clone();
  cv::Mat s64;
  seeds.convertTo(s64, CV_64F);
  // Seeds as D x K doubles (seed index fastest, so the inner loop below runs over seeds with
  // independent sums) and |s|^2 summed over d in order.
  std::vector<double> s(static_cast<size_t>(dim) * count);
  std::vector<double> seed_norms(count, 0.0);
  for (int k = 0; k < count; ++k) {
    const double* row = s64.ptr<double>(k);
    for (int d = 0; d < dim; ++d) {
      s[static_cast<size_t>(d) * count + k] = row[d];
      seed_norms[k] += row[d] * row[d];
    }
  }
  cv::Mat labels(h, w, CV_32S, cv::Scalar(0));
  if (label_of(count - 1) == 0) return labels;  // one seed, or background seeds alone
  const float* data = e.ptr<float>();
  const std::vector<Tap> ys = taps(h, gh), xs = taps(w, gw);
  // The exact answer for one pixel: |s|^2 - 2 s.e + |e|^2 in double, as the tensor version.
  const auto exact = [&](const Tap& ty, const Tap& tx, std::vector<double>& pixel,
                         std::vector<double>& cross) {
    interpolate(data, dim, gh, gw, ty, tx, pixel.data());
    double sum = 0;
    for (int d = 0; d < dim; ++d) sum += pixel[d] * pixel[d];
    const double norm = std::sqrt(sum);
    const double pixel_norm = norm * norm;  // as the tensor version: the norm, squared
    std::fill(cross.begin(), cross.end(), 0.0);
    for (int d = 0; d < dim; ++d) {
      const double v = pixel[d];
      const double* sd = s.data() + static_cast<size_t>(d) * count;
      for (int k = 0; k < count; ++k) cross[k] += sd[k] * v;
    }
    // Strictly smaller: ties keep the lower seed index (argmin's first minimum).
    int best = 0;
    double best_d2 = std::numeric_limits<double>::infinity();
    for (int k = 0; k < count; ++k) {
      const double d2 = (seed_norms[k] + pixel_norm) - 2.0 * cross[k];
      if (d2 < best_d2) {
        best_d2 = d2;
        best = k;
      }
    }
    return label_of(best);
  };
  // A float screen first, per output row. v_k = |s_k|^2 - 2 s_k.e is interpolated in float
  // from its values at the grid nodes (products s.g_n once per grid row, cv::gemm). Every float
  // v_k lies within bound = (D + 8) 2^-24 (|e| + max |s|)^2 of the exact one (as in
  // nearest_seed_screen.h, with |e| replaced by the longest of the four nodes around the pixel,
  // which bounds the norm of their convex combinations): the node products err by at most
  // D 2^-24 |s| |g|, rounding the seed to float by 2^-24 |s| |e|, the interpolation in y (of
  // s.g) by 3 2^-24 |s| max|g|, |s|^2 and the subtraction by 2^-24 (2 |s|^2 + 2 |s| max|g|),
  // and the interpolation in x (of v) by 3 2^-24 (|s|^2 + 2 |s| max|g|): in all at most
  // ((2D + 16) |s| max|g| + 5 |s|^2) 2^-24, within the bound.
  // Along a row, the pixels between two grid columns take v_k between its values at the two,
  // so a seed whose lower end exceeds the lowest upper end by more than the unsure gap
  // (4 bounds, unsure_gap) is nearest to none of them: only the remaining candidates are
  // interpolated per pixel, and a lone candidate takes the whole stretch. A pixel whose two
  // nearest candidates are within the unsure gap is decided in double.
  cv::Mat seeds_float;
  s64.convertTo(seeds_float, CV_32F);
  double max_seed_norm = 0;
  std::vector<float> seed_sq(count);
  for (int k = 0; k < count; ++k) {
    seed_sq[k] = static_cast<float>(seed_norms[k]);
    max_seed_norm = std::max(max_seed_norm, std::sqrt(seed_norms[k]));
  }
  // The stretches of a row: output columns [begin, end) between grid columns `node` and `next`
  // (next = node when every pixel there sits on the node itself).
  struct Stretch {
    int node = 0, next = 0, begin = 0, end = 0;
  };
  std::vector<Stretch> stretches;
  for (int x = 0; x < w; ++x) {
    if (stretches.empty() || stretches.back().node != xs[x].i0) {
      stretches.push_back({xs[x].i0, xs[x].i0, x, x});
    }
    Stretch& last = stretches.back();
    last.end = x + 1;
    if (xs[x].w1 != 0) last.next = xs[x].i1;
  }
  const size_t plane = static_cast<size_t>(gh) * gw;
  // Contiguous bands of rows, one per thread (as many as OpenCV is given), so that each grid
  // row's products are made once per band (output rows visit grid rows in increasing order).
  const int bands = std::max(1, std::min(h, cv::getNumThreads()));
  const auto band = [&](const cv::Range& range) {
    // Grid row gy's products (K x gw) and node norms live in slot gy % 2: the two rows
    // around an output row always differ in parity.
    int cached[2] = {-1, -1};
    cv::Mat node_cross[2];
    std::vector<float> node_norm[2] = {std::vector<float>(gw), std::vector<float>(gw)};
    const auto grid_row = [&](int gy) {
      const int slot = gy % 2;
      if (cached[slot] == gy) return slot;
      const cv::Mat nodes(dim, gw, CV_32F, const_cast<float*>(data) + gy * gw,
                          plane * sizeof(float));
      cv::gemm(seeds_float, nodes, 1.0, cv::noArray(), 0.0, node_cross[slot]);  // K x gw
      std::vector<float>& norms = node_norm[slot];
      std::fill(norms.begin(), norms.end(), 0.f);
      for (int d = 0; d < dim; ++d) {
        const float* g = nodes.ptr<float>(d);
        for (int gx = 0; gx < gw; ++gx) norms[gx] += g[gx] * g[gx];
      }
      for (float& v : norms) v = std::sqrt(v);
      cached[slot] = gy;
      return slot;
    };
    std::vector<float> node_v(static_cast<size_t>(gw) * count);  // v_k at (row, gx), k fastest
    std::vector<float> row_norm(gw), low(count);
    std::vector<int> candidates;
    std::vector<double> pixel(dim), cross(count);
    for (int y = range.start; y < range.end; ++y) {
      const Tap& ty = ys[y];
      const int a = grid_row(ty.i0), b = grid_row(ty.i1);
      for (int k = 0; k < count; ++k) {
        const float* c0 = node_cross[a].ptr<float>(k);
        const float* c1 = node_cross[b].ptr<float>(k);
        for (int gx = 0; gx < gw; ++gx) {
          node_v[static_cast<size_t>(gx) * count + k] =
              seed_sq[k] - 2.f * (ty.f0 * c0[gx] + ty.f1 * c1[gx]);
        }
      }
      for (int gx = 0; gx < gw; ++gx) {
        row_norm[gx] = std::max(node_norm[a][gx], node_norm[b][gx]);
      }
      int* out = labels.ptr<int>(y);
      for (const Stretch& st : stretches) {
        const float* v0 = node_v.data() + static_cast<size_t>(st.node) * count;
        const float* v1 = node_v.data() + static_cast<size_t>(st.next) * count;
        const double gap =
            unsure_gap(dim, std::max(row_norm[st.node], row_norm[st.next]), max_seed_norm);
        float lowest_high = std::numeric_limits<float>::infinity();
        for (int k = 0; k < count; ++k) {
          low[k] = std::min(v0[k], v1[k]);
          lowest_high = std::min(lowest_high, std::max(v0[k], v1[k]));
        }
        candidates.clear();
        for (int k = 0; k < count; ++k) {
          if (static_cast<double>(low[k]) <= lowest_high + gap) candidates.push_back(k);
        }
        if (objects < count) {
          // A background candidate at least as far as another at both ends is at least as
          // far at every pixel between (in float too: the interpolation is monotone), so it
          // never gives the background's minimum: keep the background seeds nearest at
          // either end and those they do not dominate.
          int at0 = -1, at1 = -1;
          for (const int k : candidates) {
            if (k < objects) continue;
            if (at0 < 0 || v0[k] < v0[at0]) at0 = k;
            if (at1 < 0 || v1[k] < v1[at1]) at1 = k;
          }
          const auto dominated = [&](int k, int by) {
            return k != by && v0[k] >= v0[by] && v1[k] >= v1[by];
          };
          if (at0 >= 0) {
            candidates.erase(
                std::remove_if(candidates.begin(), candidates.end(),
                               [&](int k) {
                                 return k >= objects &&
                                        (dominated(k, at0) || (k != at0 && dominated(k, at1)));
                               }),
                candidates.end());
          }
        }
        const int lone = label_of(candidates.front());
        if (label_of(candidates.back()) == lone) {  // one candidate, or background alone
          std::fill(out + st.begin, out + st.end, lone);
          continue;
        }
        for (int x = st.begin; x < st.end; ++x) {
          const float f0 = xs[x].f0, f1 = xs[x].f1;
          // The nearest candidate and the nearest of another label (background seeds
          // share one: which of them is nearest does not matter).
          float first = std::numeric_limits<float>::infinity(), second = first;
          int nearest = 0;
          for (const int k : candidates) {
            const float v = f0 * v0[k] + f1 * v1[k];
            const int label = label_of(k);
            if (v < first) {
              if (label != nearest) second = first;
              first = v;
              nearest = label;
            } else if (label != nearest) {
              second = std::min(second, v);
            }
          }
          out[x] =
              static_cast<double>(second) - first <= gap ? exact(ty, xs[x], pixel, cross) : nearest;
        }
      }
    }
  };
  // On OpenMP's threads, which libtorch's operators use too: on few cores, handing the work
  // to OpenCV's pool (TBB) right after the networks ran cost more than the join itself, as
  // each pool's idle threads spin while the other works (docs/results.md, prediction speed).
#pragma omp parallel for schedule(static, 1) num_threads(bands)
  for (int b = 0; b < bands; ++b) band(cv::Range(h * b / bands, h * (b + 1) / bands));
  return labels;
}

}  // namespace wisenet
