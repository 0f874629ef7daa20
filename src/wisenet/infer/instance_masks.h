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

// embeddings: D x gh x gw (any floating type, any device; taken as float on the CPU), the
// E-Net head's grid or a full-resolution map, as the OpenCV overload (instance_masks_cv.h),
// which this is on the tensor's floats. Throws wisenet::Error for bad shapes or a seed outside
// the image.
cv::Mat join_most_similar_seed(const at::Tensor& embeddings, const std::vector<cv::Point>& seeds,
                               cv::Size out_size = {}, int object_count = -1,
                               double spatial_weight = 0,
                               double max_object_distance2 = kNoDistanceLimit);

// The tensor overloads' bridge to the OpenCV steps: a D x H x W tensor as contiguous float on
// the CPU (a copy when it is not one already), and a 3-D CV_32F Mat over that memory (valid
// while the tensor lives). Throws wisenet::Error for another number of dimensions.
at::Tensor embeddings_on_cpu(const at::Tensor& embeddings);
cv::Mat embeddings_mat(const at::Tensor& cpu_embeddings);

}  // namespace wisenet
