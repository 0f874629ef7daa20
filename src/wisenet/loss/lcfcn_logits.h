#pragma once
// The LCFCN loss of one image from its logits as one autograd node: the terms are evaluated
// in double at the pixels the plan weighs (a point, an argmax pixel, a boundary or a
// false-positive blob), and the backward pass writes d(loss)/d(logits) directly
// (d(-log S_c)/dO_k = S_k - [k = c]), with no per-term tensor operations. Same values and
// gradients as evaluating the plan on log_softmax(logits) clamped at -100.
//
// Usage (lcfcn_loss.cpp): at::Tensor terms = lcfcn_terms_from_logits(logits, plan, options);
#include <ATen/core/Tensor.h>

#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/loss/lcfcn_plan.h"

namespace wisenet {

// logits: (C+1) x H x W, floating point (computed on a CPU copy); `plan` from the softmax of
// these logits. Returns a 6-element tensor (float, or double for double logits) on the
// logits' device, differentiable: image, point, split_local, split_global, false_positive,
// background (0 unless options.background_term).
at::Tensor lcfcn_terms_from_logits(const at::Tensor& logits, LcfcnPlan plan,
                                   const LcfcnOptions& options);

}  // namespace wisenet
