#pragma once
// The float screen of the nearest-seed join, shared by the tensor version (loss/similarity.h)
// and the torch-free one (infer/nearest_seed_cv.h). Given the embeddings and the products
// s_k . e_p in float, it finds each pixel's nearest seed by |s|^2 - 2 s.e (|e|^2 is the same
// for every seed, so it changes no comparison and no gap) and says whether the float result
// can be trusted. Every float value lies within
//   bound = (D + 8) 2^-24 (|e| + max |s|)^2
// of the exact one (the error bound of a D-term dot product and of the squared norms), so
// where the runner-up is more than 4 bounds behind the nearest, the exact distances (and the
// double ones, whose own error is 2^29 times smaller) put the same seed first. The other
// pixels (near-ties, duplicate seeds) must be decided in double.
#include <cstdint>

namespace wisenet {

struct SeedScreen {
  const float* embeddings;  // D x stride: e_p of row d at embeddings[d * stride + p]
  const float* cross;       // K x stride: s_k . e_p at cross[k * stride + p]
  int64_t stride;
  int64_t dim;           // D
  int64_t count;         // K
  const float* seed_sq;  // K values |s_k|^2
  double max_seed_norm;  // max_k |s_k|
};

// For pixels p0 .. p0 + n - 1: which[i] = the nearest seed of pixel p0 + i (the first minimum,
// so a duplicate seed gives a gap of 0), unsure[i] = 1 where that answer needs the double
// computation, else 0.
void screen_nearest_seeds(const SeedScreen& screen, int64_t p0, int64_t n, int32_t* which,
                          uint8_t* unsure);

// The gap 4 x bound at or below which a pixel is unsure, for D-dimensional embeddings, a pixel
// of norm at most `norm` (float-computed: a 0.1% margin is added) and seeds of norm at most
// max_seed_norm.
double unsure_gap(int64_t dim, double norm, double max_seed_norm);

}  // namespace wisenet
