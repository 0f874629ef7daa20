#pragma once
// Proposal: one class-agnostic candidate object mask with its objectness score.
#include <vector>

#include "wisenet/core/rle.h"

namespace wisenet {

// `mask` has the image's size and is never empty; `score` is in [0, 1], higher meaning more
// object-like. Lists of proposals are kept sorted by score, highest first.
struct Proposal {
  Rle mask;
  double score = 0;
};

using Proposals = std::vector<Proposal>;

}  // namespace wisenet
