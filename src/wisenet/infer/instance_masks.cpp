#include "wisenet/infer/instance_masks.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"

namespace wisenet {

cv::Mat join_most_similar_seed(const at::Tensor& embeddings, const std::vector<cv::Point>& seeds,
                               cv::Size out_size, int object_count) {
  if (!embeddings.defined() || embeddings.dim() != 3) {
    throw Error("join_most_similar_seed: embeddings must be D x H x W");
  }
  const at::Tensor e = embeddings.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const int sizes[] = {static_cast<int>(e.size(0)), static_cast<int>(e.size(1)),
                       static_cast<int>(e.size(2))};
  return join_most_similar_seed(cv::Mat(3, sizes, CV_32F, e.data_ptr<float>()), seeds, out_size,
                                object_count);
}

}  // namespace wisenet
