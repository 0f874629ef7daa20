#pragma once
// The similarity S(a, b) of two embeddings (wisenet.md section 5), shared by the similarity
// loss and by prediction, and the "most similar seed" assignment of every pixel.
#include <cstdint>

#include <ATen/core/Tensor.h>

#include "wisenet/loss/similarity_form.h"

namespace wisenet {

// Lower and upper clamp of S, so that log S and log(1 - S) stay finite.
constexpr double kSimilarityMin = 1e-6;
constexpr double kSimilarityMax = 1.0 - 1e-6;

// S from squared distances |a - b|^2 (any shape, floating point), clamped to
// [kSimilarityMin, kSimilarityMax]; `dim` is D. Differentiable (zero gradient where clamped).
at::Tensor similarity_from_distance(const at::Tensor& squared_distance, SimilarityForm form,
                                    int64_t dim);

// For each column of `embeddings` (D x P), the index of its most similar column of `seeds`
// (D x K, K >= 1), as a P-long int64 CPU tensor; no gradient. Both forms of S decrease with
// the distance, so this is the nearest seed in Euclidean distance, compared before the clamp
// (after it, every pixel far from all seeds would tie). Ties go to the lower seed index.
// The result is the argmin of |s|^2 - 2 s.e + |e|^2 computed in double precision (a matrix
// product); float CPU embeddings are screened with the product in float (one pass over the
// pixels finds each one's nearest and runner-up) and only the pixels whose two nearest seeds
// are within the float error bound of each other are recomputed in double. Memory: O(P) plus
// a K x chunk block of at most 2^24 values.
at::Tensor nearest_seed(const at::Tensor& embeddings, const at::Tensor& seeds);

}  // namespace wisenet
