#pragma once
// The fully supervised L-Net loss: per-pixel cross-entropy of S = softmax(O) against the class
// map of the true masks (channel 0 = background). Used by `--supervision full|mixed` for the
// images that have masks (issue #5); points-only images keep the LCFCN loss.
//
// Usage:
//   at::Tensor target = class_map_target(sample.instances, h, w);   // categories = channels
//   at::Tensor loss = mask_cross_entropy(logits, target);
//   loss.backward();
#include <vector>

#include <ATen/core/Tensor.h>

#include "wisenet/core/types.h"

namespace wisenet {

// Pixels of this value in a target are left out of the loss (crowd regions).
constexpr int64_t kIgnoreClass = -1;

// The class of every pixel: an int64 H x W CPU tensor, 0 where no mask is, the instance's
// category (the network channel 1..C, as TrainingData maps them) on its mask, kIgnoreClass on
// crowd masks. Where masks overlap the later instance wins (crowds last, so they always win).
// Requires every mask to be height x width and every non-crowd category >= 1; otherwise throws
// wisenet::Error naming the instance.
at::Tensor class_map_target(const std::vector<Instance>& instances, int height, int width);

// Mean over the pixels whose target is not kIgnoreClass of -log S_target, as torch's
// cross_entropy (reduction mean, ignore_index). logits: (C+1) x H x W or 1 x (C+1) x H x W,
// floating point; target: H x W integers in 0..C or kIgnoreClass (moved to the logits' device).
// Ensures a 0-dim tensor of the logits' dtype, differentiable; 0 (still attached to the graph)
// when every pixel is ignored. A shape mismatch or a class above C throws wisenet::Error.
at::Tensor mask_cross_entropy(const at::Tensor& logits, const at::Tensor& target);

}  // namespace wisenet
