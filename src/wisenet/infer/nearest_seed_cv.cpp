#include "wisenet/infer/nearest_seed_cv.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "wisenet/core/error.h"

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
  cv::parallel_for_(cv::Range(0, h), [&](const cv::Range& rows) {
    std::vector<double> pixel(dim), cross(count);
    for (int y = rows.start; y < rows.end; ++y) {
      int* out = labels.ptr<int>(y);
      for (int x = 0; x < w; ++x) {
        const size_t p = static_cast<size_t>(y) * w + x;
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
        out[x] = best;
      }
    }
  });
  return labels;
}

}  // namespace wisenet
