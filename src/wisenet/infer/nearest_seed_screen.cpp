#include "wisenet/infer/nearest_seed_screen.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace wisenet {

void screen_nearest_seeds(const SeedScreen& s, int64_t p0, int64_t n, int32_t* which,
                          uint8_t* unsure) {
  std::vector<float> norm(n, 0.f), first(n, std::numeric_limits<float>::infinity()),
      second(n, std::numeric_limits<float>::infinity());
  std::fill(which, which + n, 0);
  for (int64_t d = 0; d < s.dim; ++d) {
    const float* row = s.embeddings + d * s.stride + p0;
    for (int64_t p = 0; p < n; ++p) norm[p] += row[p] * row[p];
  }
  for (int64_t k = 0; k < s.count; ++k) {
    const float* row = s.cross + k * s.stride + p0;
    const float sk = s.seed_sq[k];
    for (int64_t p = 0; p < n; ++p) {
      // Branch-free so that the loop vectorizes.
      const float v = sk - 2.f * row[p];
      const bool below_first = v < first[p];
      second[p] = below_first ? first[p] : std::min(second[p], v);
      first[p] = below_first ? v : first[p];
      which[p] = below_first ? static_cast<int32_t>(k) : which[p];
    }
  }
  for (int64_t p = 0; p < n; ++p) {
    const double gap = unsure_gap(s.dim, std::sqrt(static_cast<double>(norm[p])), s.max_seed_norm);
    unsure[p] = static_cast<double>(second[p]) - first[p] <= gap;
  }
}

double unsure_gap(int64_t dim, double norm, double max_seed_norm) {
  const double relative = static_cast<double>(dim + 8) * std::ldexp(1.0, -24);
  const double r = norm * 1.001 + max_seed_norm;
  return 4.0 * relative * r * r;
}

}  // namespace wisenet
