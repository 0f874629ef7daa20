#pragma once
// From embeddings and seeds to masks (wisenet.md section 6, step 3) on OpenCV matrices,
// without libtorch: every pixel joins its most similar seed; an object's mask is its seed's
// pixels. instance_masks.h adds the same join on a tensor (libtorch).
// Usage:
//   cv::Mat labels = join_most_similar_seed(grid, seeds, image_size);  // D x gh x gw CV_32F
//   std::vector<Rle> masks = seed_masks(labels, object_count);
#include <cstdint>
#include <limits>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"

namespace wisenet {

// join_most_similar_seed's max_object_distance2 when no pixel is sent to the background.
inline constexpr double kNoDistanceLimit = std::numeric_limits<double>::infinity();

// embeddings: a 3-D D x gh x gw CV_32F Mat, the E-Net head's grid whose bilinear upsampling
// (align_corners) to out_size gives each pixel's embedding (empty out_size: the grid's own
// size, a full-resolution map); seeds: pixels of the out_size image, at least one.
// Returns an H x W CV_32S map of each pixel's seed index (its most similar seed by
// nearest_seed, nearest_seed_cv.h, the seeds' embeddings interpolated in double; ties to the
// lower index), where every seed's own pixel is forced to its own index (so each seed keeps at
// least its pixel even when two seeds share an embedding). object_count >= 0: the seeds from
// object_count on are background seeds, all labelled object_count (nearest_seed).
// spatial_weight w > 0 (section 6: 0) then splits the pixels that joined an object seed among
// the object seeds only, each to the one of least |e(p) - e(s)|^2 + w |p - s|^2 (p, s in
// out_size pixels; with_position_channels, position_channels.h): which pixels are background
// stays the embedding's decision, and two touching objects that look alike, whose pixels
// resemble both seeds, are split near the line halfway between the seeds rather than by
// noise in the embedding.
// Last, a pixel whose object seed lies at squared embedding distance max_object_distance2 or
// more (the distance at which S falls to PredictOptions::min_similarity) goes to the background
// label object_count instead (needs object_count >= 0); infinity keeps every pixel.
// The tensor overload in instance_masks.h is this function on the tensor's floats.
// Throws wisenet::Error for bad shapes, a seed outside the image, a negative weight or a
// distance limit that is not positive.
cv::Mat join_most_similar_seed(const cv::Mat& embeddings, const std::vector<cv::Point>& seeds,
                               cv::Size out_size = {}, int object_count = -1,
                               double spatial_weight = 0,
                               double max_object_distance2 = kNoDistanceLimit);

// Row-major pixel indices (y * width + x) of the seeds. Throws wisenet::Error, as
// join_most_similar_seed, for no seeds or a seed outside the height x width image.
std::vector<int64_t> seed_pixel_indices(const std::vector<cv::Point>& seeds, int height, int width);

// One mask per seed index 0..count-1 of a CV_32S label map (other labels are ignored).
std::vector<Rle> seed_masks(const cv::Mat& labels, int count);

// Dice 2|a ∩ b| / (|a| + |b|); 0 when both are empty. Same size required.
double dice(const Rle& a, const Rle& b);

}  // namespace wisenet
