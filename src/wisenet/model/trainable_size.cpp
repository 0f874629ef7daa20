#include "wisenet/model/trainable_size.h"

#include <algorithm>
#include <cstdio>

#include "wisenet/core/error.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/transforms.h"

namespace wisenet {

int stride32_side(int n) { return (std::max(n, 1) + 31) / 32; }

bool trainable_size(int width, int height) {
  return static_cast<int64_t>(stride32_side(width)) * stride32_side(height) >= 2;
}

void check_trainable_sizes(const CocoDataset& dataset, const std::string& image_dir, bool bn_frozen,
                           double scale_jitter) {
  if (bn_frozen) return;
  const double smallest = 1.0 - std::max(0.0, scale_jitter);
  const auto trains = [&](cv::Size size) {
    const cv::Size scaled = smallest < 1.0 ? rescaled_size(size, smallest) : size;
    return trainable_size(scaled.width, scaled.height);
  };
  for (const ImageInfo& image : dataset.images) {
    const cv::Size size(image.width, image.height);
    if (trains(size)) continue;
    // The smallest longer side that trains (the shorter side does not matter).
    int needed = 33;
    while (!trains(cv::Size(needed, 1))) ++needed;
    std::string jitter;
    if (smallest < 1.0) {
      const cv::Size scaled = rescaled_size(size, smallest);
      char factor[32];
      std::snprintf(factor, sizeof factor, "%g", scale_jitter);
      jitter = " with --scale-jitter " + std::string(factor) + " (down to " +
               std::to_string(scaled.width) + "x" + std::to_string(scaled.height) + ")";
    }
    throw Error(resolve_image_path(dataset, image, image_dir),
                "image is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                    ", too small to train on" + jitter + ": its longer side must be at least " +
                    std::to_string(needed) +
                    " pixels (trainable BatchNorm needs 2 values in the stride-32 features)");
  }
}

}  // namespace wisenet
