#pragma once
// From embeddings and seeds to masks (wisenet.md section 6, step 3) on a tensor (libtorch):
// every pixel joins its most similar seed; an object's mask is its seed's pixels. The OpenCV
// form of the join, seed_masks and dice (no libtorch) are in instance_masks_cv.h.
#include <vector>

#include <ATen/core/Tensor.h>
#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"
#include "wisenet/infer/instance_masks_cv.h"

namespace wisenet {

// embeddings: D x H x W (any floating type); seeds: pixels inside the image, at least one.
// Returns an H x W CV_32S map of each pixel's seed index (its most similar seed by
// nearest_seed, the same ordering as the training similarity in both forms; ties to the lower
// index), where every seed's own pixel is forced to its own index (so each seed keeps at least
// its pixel even when two seeds share an embedding). Throws wisenet::Error for bad shapes or a
// seed outside the image.
cv::Mat join_most_similar_seed(const at::Tensor& embeddings, const std::vector<cv::Point>& seeds);

}  // namespace wisenet
