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

}  // namespace

cv::Mat nearest_seed(const cv::Mat& embeddings, const cv::Mat& seeds) {
  if (embeddings.dims != 3 || embeddings.type() != CV_32F) {
    throw Error("nearest_seed: embeddings must be a 3-D D x H x W CV_32F Mat, got " +
                shape_of(embeddings) + " of OpenCV type " + std::to_string(embeddings.type()));
  }
  const int dim = embeddings.size[0], h = embeddings.size[1], w = embeddings.size[2];
  if (seeds.dims != 2 || seeds.type() != CV_32F || seeds.rows < 1 || seeds.cols != dim) {
    throw Error("nearest_seed: seeds must be a K x " + std::to_string(dim) +
                " CV_32F Mat with K >= 1, got " + shape_of(seeds) + " of OpenCV type " +
                std::to_string(seeds.type()));
  }
  const int count = seeds.rows;
  const cv::Mat e = embeddings.isContinuous() ? embeddings : embeddings.clone();
  // Seeds as D x K doubles (seed index fastest, so the inner loop below runs over seeds with
  // independent sums) and |s|^2 summed over d in order.
  std::vector<double> s(static_cast<size_t>(dim) * count);
  std::vector<double> seed_norms(count, 0.0);
  for (int k = 0; k < count; ++k) {
    const float* row = seeds.ptr<float>(k);
    for (int d = 0; d < dim; ++d) {
      const double v = row[d];
      s[static_cast<size_t>(d) * count + k] = v;
      seed_norms[k] += v * v;
    }
  }
  cv::Mat labels(h, w, CV_32S);
  const float* data = e.ptr<float>();
  const size_t plane = static_cast<size_t>(h) * w;
  int* out = labels.ptr<int>();
  // The exact answer for pixel p: |s|^2 - 2 s.e + |e|^2 in double, as the tensor version.
  const auto exact = [&](size_t p, std::vector<double>& pixel, std::vector<double>& cross) {
    double sum = 0;
    for (int d = 0; d < dim; ++d) {
      pixel[d] = data[d * plane + p];
      sum += pixel[d] * pixel[d];
    }
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
    return best;
  };
  if (count < 2) {
    std::fill(out, out + plane, 0);
    return labels;
  }
  // A float screen first (nearest_seed_screen.h), as the tensor version: s.e for all seeds and
  // pixels in one float matrix product; only the pixels it cannot decide take the double path.
  const cv::Mat flat(dim, static_cast<int>(plane), CV_32F, const_cast<float*>(data));
  cv::Mat seeds_float = seeds.isContinuous() ? seeds : seeds.clone();
  cv::Mat cross_all;
  cv::gemm(seeds_float, flat, 1.0, cv::noArray(), 0.0, cross_all);  // K x P
  double max_seed_norm = 0;
  std::vector<float> seed_sq(count);
  for (int k = 0; k < count; ++k) {
    seed_sq[k] = static_cast<float>(seed_norms[k]);
    max_seed_norm = std::max(max_seed_norm, std::sqrt(seed_norms[k]));
  }
  const SeedScreen screen{
      data,           cross_all.ptr<float>(), static_cast<int64_t>(plane), dim, count,
      seed_sq.data(), max_seed_norm};
  constexpr int kBlock = 4096;
  const int blocks = static_cast<int>((plane + kBlock - 1) / kBlock);
  cv::parallel_for_(cv::Range(0, blocks), [&](const cv::Range& range) {
    std::vector<double> pixel(dim), cross(count);
    std::vector<int32_t> which(kBlock);
    std::vector<uint8_t> unsure(kBlock);
    for (int b = range.start; b < range.end; ++b) {
      const size_t p0 = static_cast<size_t>(b) * kBlock;
      const size_t n = std::min<size_t>(kBlock, plane - p0);
      screen_nearest_seeds(screen, static_cast<int64_t>(p0), static_cast<int64_t>(n), which.data(),
                           unsure.data());
      for (size_t p = 0; p < n; ++p)
        out[p0 + p] = unsure[p] ? exact(p0 + p, pixel, cross) : which[p];
    }
  });
  return labels;
}

}  // namespace wisenet
