#pragma once
// The trainer's per-step exchange between ranks, in one flattened all-reduce: the gradients,
// which parameters have one, the batch-norm buffers, the logged loss terms and the stop flag.
//
// Gradients are summed, not averaged: every rank scales its images' losses by 1 / (images in the
// global batch), so the sum over ranks is exactly the one-process batch mean (the loss is a mean
// over images, each image forwarded on its own, so batch norm sees the same per-image statistics
// either way). Buffers (batch-norm running statistics) are averaged so every rank holds the same.
#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace wisenet {

class ProcessGroup;

// After backward, before the optimiser step. `terms` (per-rank partial sums of the batch-mean
// loss terms named in `term_names`) become the global values; a term no rank has is left out.
// Returns whether any rank asked to stop.
bool all_reduce_step(ProcessGroup& group, const std::vector<at::Tensor>& parameters,
                     const std::vector<at::Tensor>& buffers, const std::vector<std::string>& term_names,
                     std::map<std::string, double>& terms, bool stop_requested);

}  // namespace wisenet
