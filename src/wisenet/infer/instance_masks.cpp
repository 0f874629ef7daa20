#include "wisenet/infer/instance_masks.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"

namespace wisenet {

at::Tensor embeddings_on_cpu(const at::Tensor& embeddings) {
  if (!embeddings.defined() || embeddings.dim() != 3) {
    throw Error("join_most_similar_seed: embeddings must be D x H x W");
  }
  return embeddings.detach().to(torch::kCPU, torch::kFloat).contiguous();
}

cv::Mat embeddings_mat(const at::Tensor& cpu_embeddings) {
  const int sizes[] = {static_cast<int>(cpu_embeddings.size(0)),
                       static_cast<int>(cpu_embeddings.size(1)),
                       static_cast<int>(cpu_embeddings.size(2))};
  return cv::Mat(3, sizes, CV_32F, cpu_embeddings.data_ptr<float>());
}

cv::Mat join_most_similar_seed(const at::Tensor& embeddings, const std::vector<cv::Point>& seeds,
                               cv::Size out_size, int object_count, double spatial_weight,
                               double max_object_distance2) {
  const at::Tensor e = embeddings_on_cpu(embeddings);
  return join_most_similar_seed(embeddings_mat(e), seeds, out_size, object_count,
                                spatial_weight, max_object_distance2);
}

}  // namespace wisenet
