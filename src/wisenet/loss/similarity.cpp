#include "wisenet/loss/similarity.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"

namespace wisenet {

at::Tensor similarity_from_distance(const at::Tensor& squared_distance, SimilarityForm form,
                                    int64_t dim) {
  const at::Tensor s = form == SimilarityForm::kExponential
                           ? torch::exp(-squared_distance / static_cast<double>(dim))
                           : 2.0 * torch::sigmoid(-squared_distance);
  return s.clamp(kSimilarityMin, kSimilarityMax);
}

at::Tensor nearest_seed(const at::Tensor& embeddings, const at::Tensor& seeds) {
  if (embeddings.dim() != 2 || seeds.dim() != 2 || embeddings.size(0) != seeds.size(0) ||
      seeds.size(1) < 1) {
    throw Error("nearest_seed: expected D x P embeddings and D x K seeds with K >= 1");
  }
  torch::NoGradGuard no_grad;
  const at::Tensor e = embeddings.detach();
  at::Tensor best_distance, best;
  for (int64_t k = 0; k < seeds.size(1); ++k) {
    const at::Tensor d2 = (e - seeds.detach().select(1, k).unsqueeze(1)).pow(2).sum(0);
    if (k == 0) {
      best_distance = d2;
      best = torch::zeros({e.size(1)}, torch::dtype(torch::kLong).device(e.device()));
      continue;
    }
    const at::Tensor closer = d2 < best_distance;  // strict: ties keep the lower index
    best_distance = torch::where(closer, d2, best_distance);
    best.masked_fill_(closer, k);
  }
  return best.to(torch::kCPU).contiguous();
}

}  // namespace wisenet
