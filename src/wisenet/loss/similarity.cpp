#include "wisenet/loss/similarity.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "wisenet/core/error.h"
#include "wisenet/infer/nearest_seed_screen.h"

namespace wisenet {

at::Tensor similarity_from_distance(const at::Tensor& squared_distance, SimilarityForm form,
                                    int64_t dim) {
  const at::Tensor s = form == SimilarityForm::kExponential
                           ? torch::exp(-squared_distance / static_cast<double>(dim))
                           : 2.0 * torch::sigmoid(-squared_distance);
  return s.clamp(kSimilarityMin, kSimilarityMax);
}

namespace {

// The seeds' nearest to each pixel of `block` (D x c) with the distances expanded in double:
// |s|^2 - 2 s.e + |e|^2, the cross term as one matrix product. argmin takes the first minimum:
// ties go to the lower seed index.
at::Tensor nearest_in_double(const at::Tensor& s, const at::Tensor& seed_norms,
                             const at::Tensor& block) {
  const at::Tensor b = block.to(torch::kDouble);
  const at::Tensor d2 = torch::addmm(
      seed_norms + at::linalg_vector_norm(b, 2, {0}).pow(2).unsqueeze(0), s, b, 1.0, -2.0);
  return d2.argmin(0);
}

}  // namespace

at::Tensor nearest_seed(const at::Tensor& embeddings, const at::Tensor& seeds) {
  if (embeddings.dim() != 2 || seeds.dim() != 2 || embeddings.size(0) != seeds.size(0) ||
      seeds.size(1) < 1) {
    throw Error("nearest_seed: expected D x P embeddings and D x K seeds with K >= 1");
  }
  torch::NoGradGuard no_grad;
  const at::Tensor e = embeddings.detach();
  // The answer is the argmin of the distances expanded in double (in float the expansion
  // cancels |e|^2 against 2 s.e, and its rounding would reorder seeds whose distances differ
  // far above float resolution of the distance). Double matrix products cost several times the
  // float ones, so float CPU embeddings are screened in float first (infer/nearest_seed_screen.h)
  // and only the pixels the screen cannot decide are recomputed in double.
  const at::Tensor s_double = seeds.detach().t().to(torch::kDouble).contiguous();  // K x D
  const at::Tensor norms_double = s_double.pow(2).sum(1).unsqueeze(1);             // K x 1
  const int64_t count = s_double.size(0), dim = s_double.size(1);
  const int64_t pixels = e.size(1);
  // A K x chunk block at a time: bounded memory for dense scenes with hundreds of seeds.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(count, 1));
  at::Tensor best = torch::empty({pixels}, torch::dtype(torch::kLong).device(e.device()));
  const bool screened = e.is_cpu() && e.scalar_type() == torch::kFloat && count >= 2;
  const at::Tensor s_float = s_double.to(torch::kFloat);
  const at::Tensor norms_float = norms_double.to(torch::kFloat);
  const double max_seed_norm = std::sqrt(norms_double.max().item<double>());
  for (int64_t start = 0; start < pixels; start += chunk) {
    const int64_t end = std::min(pixels, start + chunk);
    const at::Tensor block = e.slice(1, start, end);  // D x c
    if (!screened) {
      best.slice(0, start, end).copy_(nearest_in_double(s_double, norms_double, block));
      continue;
    }
    const at::Tensor columns = block.contiguous();
    const int64_t c = end - start;
    const at::Tensor cross = torch::mm(s_float, columns);  // s.e, K x c
    const SeedScreen screen{columns.data_ptr<float>(),
                            cross.data_ptr<float>(),
                            c,
                            dim,
                            count,
                            norms_float.data_ptr<float>(),
                            max_seed_norm};
    std::vector<int32_t> which(c);
    std::vector<uint8_t> unsure(c, 0);
    at::parallel_for(0, c, 4096, [&](int64_t p0, int64_t p1) {
      screen_nearest_seeds(screen, p0, p1 - p0, which.data() + p0, unsure.data() + p0);
    });
    at::Tensor chosen = torch::from_blob(which.data(), {c}, torch::kInt).to(torch::kLong);
    std::vector<int64_t> uncertain_pixels;
    for (int64_t p = 0; p < c; ++p) {
      if (unsure[p]) uncertain_pixels.push_back(p);
    }
    if (!uncertain_pixels.empty()) {
      const at::Tensor uncertain = torch::tensor(uncertain_pixels, torch::kLong);
      chosen.index_put_(
          {uncertain}, nearest_in_double(s_double, norms_double, block.index_select(1, uncertain)));
    }
    best.slice(0, start, end).copy_(chosen);
  }
  return best.to(torch::kCPU).contiguous();
}

}  // namespace wisenet
