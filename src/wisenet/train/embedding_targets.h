#pragma once
// What the E-Net stage learns from, per training image: the pseudo-mask of each point (its
// best proposal, wisenet.md section 4) and the background region. Computed once per image
// (proposals come from the on-disk cache) and kept.
#include <memory>
#include <string>
#include <vector>

#include "wisenet/core/types.h"
#include "wisenet/proposals/proposal_cache.h"
#include "wisenet/proposals/proposal_for_point.h"

namespace wisenet {

struct EmbeddingTargets {
  std::vector<Rle> pseudo_masks;  // one per point of the sample, in order
  Rle background;
};

// Pseudo-masks and background of `sample` from its cached proposals.
EmbeddingTargets embedding_targets(const Sample& sample, const ProposalCache& cache,
                                   const PointProposalOptions& options);

// Full supervision (no proposals): the true instance masks as the pseudo-masks and the pixels
// of no mask as the background. Requires one instance per point, in the same order, each
// carrying that point (as TrainingData gives an image whose annotations all have masks);
// otherwise throws wisenet::Error naming the image.
EmbeddingTargets mask_targets(const Sample& sample);

// The targets carried through the same geometric augmentation as the sample: they are put on
// the sample as instances, augmented with it, and taken back off.
Sample with_targets(const Sample& sample, const EmbeddingTargets& targets);
EmbeddingTargets targets_of(const Sample& augmented);

}  // namespace wisenet
