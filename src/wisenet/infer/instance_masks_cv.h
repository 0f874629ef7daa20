#pragma once
// From embeddings and seeds to masks (wisenet.md section 6, step 3) on OpenCV matrices,
// without libtorch: every pixel joins its most similar seed; an object's mask is its seed's
// pixels. instance_masks.h adds the same join on a tensor (libtorch).
// Usage:
//   cv::Mat labels = join_most_similar_seed(embeddings, seeds);  // D x H x W CV_32F
//   std::vector<Rle> masks = seed_masks(labels, object_count);
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"

namespace wisenet {

// embeddings: a 3-D D x H x W CV_32F Mat; seeds: pixels inside the image, at least one.
// Returns an H x W CV_32S map of each pixel's seed index (its most similar seed by
// nearest_seed, nearest_seed_cv.h; ties to the lower index), where every seed's own pixel is
// forced to its own index (so each seed keeps at least its pixel even when two seeds share an
// embedding): the same map as the tensor overload in instance_masks.h on the same floats.
// Throws wisenet::Error for bad shapes or a seed outside the image.
cv::Mat join_most_similar_seed(const cv::Mat& embeddings, const std::vector<cv::Point>& seeds);

// Row-major pixel indices (y * width + x) of the seeds. Throws wisenet::Error, as
// join_most_similar_seed, for no seeds or a seed outside the height x width image.
std::vector<int64_t> seed_pixel_indices(const std::vector<cv::Point>& seeds, int height, int width);

// One mask per seed index 0..count-1 of a CV_32S label map (other labels are ignored).
std::vector<Rle> seed_masks(const cv::Mat& labels, int count);

// Dice 2|a ∩ b| / (|a| + |b|); 0 when both are empty. Same size required.
double dice(const Rle& a, const Rle& b);

}  // namespace wisenet
