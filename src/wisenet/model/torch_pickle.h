#pragma once
// Reading weight files written by Python's torch.save (PyTorch >= 1.6 zip format) without
// Python: torch::pickle_load rejects the OrderedDict-with-_metadata that model.state_dict()
// pickles (see docs/platform.md), so we read the zip records with PyTorchStreamReader and
// unpickle data.pkl with a minimal unpickler that knows only what state dicts contain.
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace wisenet {

// A state dict in file order: (name, tensor) pairs, tensors contiguous and on the CPU.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Reads `path`, a torch.save'd OrderedDict state_dict (its _metadata ignored) or a plain dict
// of tensors; a dict holding a "state_dict" or "model" dict of tensors is unwrapped.
// Throws wisenet::Error naming `path` when the file is missing, is not a zip archive (e.g. the
// pre-1.6 legacy format), or holds something other than a dict of tensors.
NamedTensors read_torch_state_dict(const std::string& path);

}  // namespace wisenet
