#pragma once
// The LCFCN loss L_L = L_I + L_P + L_S + L_F (wisenet.md section 3), for C >= 1 classes with
// softmax outputs. Blobs and split boundaries come from the same forward pass, without
// gradient; every term is differentiable through S.
//
// Usage:
//   LcfcnTerms t = lcfcn_loss_from_logits(logits, points);   // logits (C+1)xHxW or Nx(C+1)xHxW
//   t.total.backward();
//
// Points: Point::category is the channel index 1..C (the caller maps dataset category ids).
#include <vector>

#include <ATen/core/Tensor.h>

#include "wisenet/core/types.h"

namespace wisenet {

// How blobs with n_b >= 2 points weigh their local split term.
enum class LocalSplitWeight {
  kPointsMinusOne,  // n_b - 1 (default, the current LCFCN code)
  kPointsPlusOne,   // n_b + 1 (the older LCFCN code)
};

// The loss's options; the defaults are the method's.
struct LcfcnOptions {
  LocalSplitWeight local_split_weight = LocalSplitWeight::kPointsMinusOne;
  bool global_split = true;      // (n_c - 1) * mean -log S_0 over the global split boundary
  bool background_term = false;  // extra BCE(mean over pixels of S_0, 1)
};

LcfcnOptions default_lcfcn_options();

// Each term as a 0-dim tensor of the input's dtype (summed over the images of a batch), and
// their sum. Terms that are off or empty are 0. Every log is clamped at -100 as torch's
// binary_cross_entropy does; a split term whose boundary is empty adds 0 (the mean over an
// empty set is undefined).
struct LcfcnTerms {
  at::Tensor image;           // L_I: sum over c = 0..C of BCE(max S_c, y_c), y_0 = 1
  at::Tensor point;           // L_P: -sum over points of log S_class(point)
  at::Tensor split_local;     // w_local * mean over B of -log S_0, blobs with n_b >= 2
  at::Tensor split_global;    // (n_c - 1) * mean over B of -log S_0, classes with n_c >= 2
  at::Tensor false_positive;  // L_F: mean over the blob of -log S_0, blobs with n_b = 0
  at::Tensor background;      // optional BCE(mean S_0, 1)
  at::Tensor total;
};

// From raw scores O: S = softmax over the channel dimension (log-softmax for the logs).
// `logits` is (C+1)xHxW with one point list, or Nx(C+1)xHxW with N point lists; floating
// point, CPU or not (blobs are found on a CPU copy). Throws wisenet::Error on a bad shape, a
// point outside the image, a class outside 1..C or a point-list count that differs from N.
LcfcnTerms lcfcn_loss_from_logits(const at::Tensor& logits,
                                  const std::vector<std::vector<Point>>& points,
                                  const LcfcnOptions& options = {});
LcfcnTerms lcfcn_loss_from_logits(const at::Tensor& logits, const std::vector<Point>& points,
                                  const LcfcnOptions& options = {});

// The same from probabilities S (each pixel's channels summing to 1), e.g. the stack
// (1 - p, p) of a single-class sigmoid map; logs are log(S) and log(1 - S).
LcfcnTerms lcfcn_loss_from_probs(const at::Tensor& probs,
                                 const std::vector<std::vector<Point>>& points,
                                 const LcfcnOptions& options = {});
LcfcnTerms lcfcn_loss_from_probs(const at::Tensor& probs, const std::vector<Point>& points,
                                 const LcfcnOptions& options = {});

}  // namespace wisenet
