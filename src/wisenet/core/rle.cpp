#include "wisenet/core/rle.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <opencv2/core.hpp>

#include "wisenet/core/error.h"

namespace wisenet {

namespace {

void check_size(int height, int width, const std::string& where) {
  if (height < 0 || width < 0) {
    throw Error(where + ": negative mask size " + std::to_string(height) + "x" +
                std::to_string(width));
  }
  // Runs are uint32: a mask of 2^32 pixels or more cannot be represented.
  if (static_cast<int64_t>(height) * width > int64_t{UINT32_MAX}) {
    throw Error(where + ": mask size " + std::to_string(height) + "x" + std::to_string(width) +
                " too large");
  }
}

}  // namespace

Rle::Rle(int height, int width) : height_(height), width_(width) {
  check_size(height, width, "RLE");
  counts_ = {static_cast<uint32_t>(static_cast<int64_t>(height) * width)};
}

Rle Rle::from_mask(const cv::Mat& mask) {
  if (mask.type() != CV_8UC1) {
    throw Error("RLE: mask must be single-channel 8-bit");
  }
  Rle r;
  r.height_ = mask.rows;
  r.width_ = mask.cols;
  uint8_t previous = 0;
  uint32_t run = 0;
  for (int x = 0; x < mask.cols; ++x) {
    for (int y = 0; y < mask.rows; ++y) {
      const uint8_t value = mask.at<uint8_t>(y, x) != 0 ? 1 : 0;
      if (value != previous) {
        r.counts_.push_back(run);
        run = 0;
        previous = value;
      }
      ++run;
    }
  }
  r.counts_.push_back(run);
  return r;
}

Rle Rle::from_counts(int height, int width, const std::vector<int64_t>& counts,
                     const std::string& where) {
  check_size(height, width, where);
  Rle r;
  r.height_ = height;
  r.width_ = width;
  int64_t total = 0;
  r.counts_.reserve(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0 || counts[i] > UINT32_MAX) {
      throw Error(where + ": run " + std::to_string(i) + " has invalid count " +
                  std::to_string(counts[i]));
    }
    total += counts[i];
    r.counts_.push_back(static_cast<uint32_t>(counts[i]));
  }
  const int64_t expected = static_cast<int64_t>(height) * width;
  if (total != expected) {
    throw Error(where + ": RLE counts sum to " + std::to_string(total) + ", expected " +
                std::to_string(height) + "x" + std::to_string(width) + " = " +
                std::to_string(expected));
  }
  if (r.counts_.empty()) r.counts_.push_back(0);
  return r;
}

// pycocotools' rleFrString, with every overflow and alphabet check it lacks.
Rle Rle::from_string(int height, int width, const std::string& s, const std::string& where) {
  std::vector<int64_t> counts;
  size_t p = 0;
  while (p < s.size()) {
    int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= s.size()) {
        throw Error(where + ": compressed RLE string ends inside a count");
      }
      const int c = static_cast<unsigned char>(s[p]) - 48;
      if (c < 0 || c > 63) {
        throw Error(where + ": compressed RLE has invalid character '" + std::string(1, s[p]) +
                    "' at offset " + std::to_string(p));
      }
      if (k >= 12) {
        throw Error(where + ": compressed RLE count too long at offset " + std::to_string(p));
      }
      x |= static_cast<int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= static_cast<int64_t>(-1) * (int64_t{1} << (5 * k));
    }
    // pycocotools stores deltas from the count two back, starting at the fourth count.
    // Bounding each count keeps the running sums far from int64 overflow (|x| < 2^61).
    constexpr int64_t kLimit = int64_t{1} << 40;
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < -kLimit || x > kLimit) {
      throw Error(where + ": compressed RLE count " + std::to_string(x) +
                  " out of range at offset " + std::to_string(p));
    }
    counts.push_back(x);
  }
  return from_counts(height, width, counts, where);
}

std::string Rle::to_string() const {
  std::string s;
  for (size_t i = 0; i < counts_.size(); ++i) {
    int64_t x = counts_[i];
    if (i > 2) x -= static_cast<int64_t>(counts_[i - 2]);
    bool more = true;
    while (more) {
      char c = static_cast<char>(x & 0x1f);
      x >>= 5;
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      c += 48;
      s.push_back(c);
    }
  }
  return s;
}

cv::Mat Rle::to_mask() const {
  // Fill the transposed (w x h) buffer row by row, which is column-major for the mask.
  cv::Mat transposed(width_, height_, CV_8UC1, cv::Scalar(0));
  uint8_t* data = transposed.ptr<uint8_t>();
  size_t position = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (i % 2 == 1) std::fill(data + position, data + position + counts_[i], uint8_t{1});
    position += counts_[i];
  }
  cv::Mat mask;
  cv::transpose(transposed, mask);
  return mask;
}

int64_t Rle::area() const {
  int64_t a = 0;
  for (size_t i = 1; i < counts_.size(); i += 2) a += counts_[i];
  return a;
}

// pycocotools' rleToBbox, including its rule that a run crossing a column boundary spans
// the full height.
std::array<double, 4> Rle::bbox() const {
  const size_t m = (counts_.size() / 2) * 2;
  if (m == 0 || height_ == 0) return {0, 0, 0, 0};
  const uint32_t h = static_cast<uint32_t>(height_);
  uint32_t xs = static_cast<uint32_t>(width_), ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
  for (size_t j = 0; j < m; ++j) {
    cc += counts_[j];
    const uint32_t t = cc - static_cast<uint32_t>(j % 2);
    const uint32_t y = t % h;
    const uint32_t x = (t - y) / h;
    if (j % 2 == 0) {
      xp = x;
    } else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = std::min(xs, x);
    xe = std::max(xe, x);
    ys = std::min(ys, y);
    ye = std::max(ye, y);
  }
  return {static_cast<double>(xs), static_cast<double>(ys), static_cast<double>(xe - xs + 1),
          static_cast<double>(ye - ys + 1)};
}

int64_t Rle::intersection(const Rle& other) const {
  if (height_ != other.height_ || width_ != other.width_) {
    throw Error("RLE: intersection of masks of different sizes");
  }
  // Walk both run lists; a and b index the current run, ra and rb what is left of it.
  size_t a = 0, b = 0;
  int64_t ra = counts_.empty() ? 0 : counts_[0];
  int64_t rb = other.counts_.empty() ? 0 : other.counts_[0];
  int64_t inter = 0;
  while (a < counts_.size() && b < other.counts_.size()) {
    if (ra == 0) {
      if (++a < counts_.size()) ra = counts_[a];
      continue;
    }
    if (rb == 0) {
      if (++b < other.counts_.size()) rb = other.counts_[b];
      continue;
    }
    const int64_t step = std::min(ra, rb);
    if (a % 2 == 1 && b % 2 == 1) inter += step;
    ra -= step;
    rb -= step;
  }
  return inter;
}

bool Rle::contains(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return false;
  const int64_t target = static_cast<int64_t>(x) * height_ + y;
  int64_t position = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    position += counts_[i];
    if (target < position) return i % 2 == 1;
  }
  return false;
}

// pycocotools' rleFrPoly: upsample the polygon by 5, walk its edges, keep the points where the
// boundary crosses a pixel column centre, and turn those into runs.
Rle Rle::from_polygon(int height, int width, const std::vector<double>& xy) {
  check_size(height, width, "polygon");
  const size_t k = xy.size() / 2;
  const double scale = 5;
  const int64_t h = height, w = width;
  // Rasterising walks every (upscaled) pixel along each edge: bound the coordinates so a
  // wild value neither overflows int nor allocates without end.
  for (double c : xy) {
    if (!std::isfinite(c) || std::fabs(c) > 1e6) {
      throw Error("polygon: coordinate " + std::to_string(c) + " out of range (|c| <= 1e6)");
    }
  }
  std::vector<int> x(k + 1), y(k + 1);
  for (size_t j = 0; j < k; ++j) x[j] = static_cast<int>(scale * xy[j * 2 + 0] + .5);
  for (size_t j = 0; j < k; ++j) y[j] = static_cast<int>(scale * xy[j * 2 + 1] + .5);
  if (k > 0) {
    x[k] = x[0];
    y[k] = y[0];
  }
  std::vector<int> u, v;
  for (size_t j = 0; j < k; ++j) {
    int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
    const int dx = std::abs(xe - xs), dy = std::abs(ys - ye);
    const bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      std::swap(xs, xe);
      std::swap(ys, ye);
    }
    // A repeated vertex is an edge of length 0: slope 0 (pycocotools divides 0 by 0 here).
    const double s = dx == 0 && dy == 0 ? 0.0
                     : dx >= dy         ? static_cast<double>(ye - ys) / dx
                                        : static_cast<double>(xe - xs) / dy;
    if (dx >= dy) {
      for (int d = 0; d <= dx; ++d) {
        const int t = flip ? dx - d : d;
        u.push_back(t + xs);
        v.push_back(static_cast<int>(ys + s * t + .5));
      }
    } else {
      for (int d = 0; d <= dy; ++d) {
        const int t = flip ? dy - d : d;
        v.push_back(t + ys);
        u.push_back(static_cast<int>(xs + s * t + .5));
      }
    }
  }
  std::vector<uint32_t> a;
  for (size_t j = 1; j < u.size(); ++j) {
    if (u[j] == u[j - 1]) continue;
    double xd = static_cast<double>(u[j] < u[j - 1] ? u[j] : u[j] - 1);
    xd = (xd + .5) / scale - .5;
    if (std::floor(xd) != xd || xd < 0 || xd > static_cast<double>(w - 1)) continue;
    double yd = static_cast<double>(v[j] < v[j - 1] ? v[j] : v[j - 1]);
    yd = (yd + .5) / scale - .5;
    if (yd < 0) {
      yd = 0;
    } else if (yd > static_cast<double>(h)) {
      yd = static_cast<double>(h);
    }
    yd = std::ceil(yd);
    a.push_back(static_cast<uint32_t>(static_cast<int64_t>(xd) * h + static_cast<int64_t>(yd)));
  }
  a.push_back(static_cast<uint32_t>(h * w));
  std::sort(a.begin(), a.end());
  uint32_t p = 0;
  for (auto& value : a) {
    const uint32_t t = value;
    value -= p;
    p = t;
  }
  std::vector<uint32_t> b;
  size_t j = 0;
  b.push_back(a[j++]);
  while (j < a.size()) {
    if (a[j] > 0) {
      b.push_back(a[j++]);
    } else {
      ++j;
      if (j < a.size()) b.back() += a[j++];
    }
  }
  Rle r;
  r.height_ = height;
  r.width_ = width;
  r.counts_ = std::move(b);
  return r;
}

// pycocotools' rleMerge (union), walking the runs of the accumulated mask and the next one.
Rle Rle::merge(const std::vector<Rle>& masks) {
  if (masks.empty()) return Rle();
  Rle result = masks[0];
  for (size_t i = 1; i < masks.size(); ++i) {
    const Rle& other = masks[i];
    if (other.height_ != result.height_ || other.width_ != result.width_) {
      throw Error("RLE: merge of masks of different sizes");
    }
    const auto& A = result.counts_;
    const auto& B = other.counts_;
    std::vector<uint32_t> out;
    uint32_t ca = A[0], cb = B[0], cc = 0, ct = 1;
    bool v = false, va = false, vb = false;
    size_t a = 1, b = 1;
    while (ct > 0) {
      const uint32_t c = std::min(ca, cb);
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && a < A.size()) {
        ca = A[a++];
        va = !va;
      }
      ct += ca;
      cb -= c;
      if (!cb && b < B.size()) {
        cb = B[b++];
        vb = !vb;
      }
      ct += cb;
      const bool vp = v;
      v = va || vb;
      if (v != vp || ct == 0) {
        out.push_back(cc);
        cc = 0;
      }
    }
    result.counts_ = std::move(out);
  }
  return result;
}

double mask_iou(const Rle& detection, const Rle& ground_truth, bool crowd) {
  const int64_t inter = detection.intersection(ground_truth);
  const int64_t da = detection.area();
  const int64_t uni = crowd ? da : da + ground_truth.area() - inter;
  if (uni == 0) return 0.0;
  return static_cast<double>(inter) / static_cast<double>(uni);
}

double box_iou(const std::array<double, 4>& d, const std::array<double, 4>& g, bool crowd) {
  const double w = std::min(d[0] + d[2], g[0] + g[2]) - std::max(d[0], g[0]);
  if (w <= 0) return 0.0;
  const double h = std::min(d[1] + d[3], g[1] + g[3]) - std::max(d[1], g[1]);
  if (h <= 0) return 0.0;
  const double i = w * h;
  const double u = crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - i;
  return i / u;
}

}  // namespace wisenet
