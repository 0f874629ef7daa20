#include "wisenet/loss/similarity.h"

#include <torch/torch.h>

#include <algorithm>

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
  // In double: the expansion below cancels |e|^2 against 2 s.e, and in float that rounding
  // would reorder seeds whose distances differ far above float resolution of the distance.
  const at::Tensor s = seeds.detach().t().to(torch::kDouble).contiguous();  // K x D
  const at::Tensor seed_norms = s.pow(2).sum(1).unsqueeze(1);  // K x 1
  const int64_t pixels = e.size(1);
  // |e - s|^2 = |s|^2 - 2 s.e + |e|^2, the cross term as one matrix product per chunk of
  // pixels (a K x chunk block: bounded memory for dense scenes with hundreds of seeds). argmin
  // takes the first minimum: ties go to the lower seed index.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(s.size(0), 1));
  at::Tensor best = torch::empty({pixels}, torch::dtype(torch::kLong).device(e.device()));
  for (int64_t start = 0; start < pixels; start += chunk) {
    const int64_t end = std::min(pixels, start + chunk);
    const at::Tensor block = e.slice(1, start, end).to(torch::kDouble);  // D x c
    const at::Tensor d2 =
        torch::addmm(seed_norms + at::linalg_vector_norm(block, 2, {0}).pow(2).unsqueeze(0), s,
                     block, 1.0, -2.0);
    best.slice(0, start, end).copy_(d2.argmin(0));
  }
  return best.to(torch::kCPU).contiguous();
}

}  // namespace wisenet
