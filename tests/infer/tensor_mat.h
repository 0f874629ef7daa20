#pragma once
// A D x H x W float tensor's memory seen as a 3-D cv::Mat, for the torch-free join functions
// (the tensor must stay alive and contiguous).
#include <torch/torch.h>

#include <opencv2/core.hpp>

namespace wisenet::test {

inline cv::Mat as_mat(const torch::Tensor& e) {
  const int sizes[] = {static_cast<int>(e.size(0)), static_cast<int>(e.size(1)),
                       static_cast<int>(e.size(2))};
  return cv::Mat(3, sizes, CV_32F, e.data_ptr<float>());
}

}  // namespace wisenet::test
