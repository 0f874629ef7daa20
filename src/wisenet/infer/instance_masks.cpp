#include "wisenet/infer/instance_masks.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/loss/similarity.h"

namespace wisenet {

cv::Mat join_most_similar_seed(const at::Tensor& embeddings, const std::vector<cv::Point>& seeds) {
  if (!embeddings.defined() || embeddings.dim() != 3) {
    throw Error("join_most_similar_seed: embeddings must be D x H x W");
  }
  const int h = static_cast<int>(embeddings.size(1)), w = static_cast<int>(embeddings.size(2));
  const std::vector<int64_t> seed_pixels = seed_pixel_indices(seeds, h, w);
  torch::NoGradGuard no_grad;
  const at::Tensor flat = embeddings.detach().reshape({embeddings.size(0), -1});
  const at::Tensor seed_e = flat.index_select(1, torch::tensor(seed_pixels).to(flat.device()));
  const at::Tensor owner = nearest_seed(flat, seed_e);
  cv::Mat labels(h, w, CV_32S);
  const int64_t* o = owner.data_ptr<int64_t>();
  int* out = labels.ptr<int>();
  for (int64_t p = 0; p < static_cast<int64_t>(h) * w; ++p) out[p] = static_cast<int>(o[p]);
  for (size_t k = 0; k < seeds.size(); ++k) out[seed_pixels[k]] = static_cast<int>(k);
  return labels;
}

}  // namespace wisenet
