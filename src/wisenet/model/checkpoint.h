#pragma once
// Checkpoints: one file holding both branches' parameters and buffers, the optimiser state,
// the step, the model options, the class names and a free-form JSON string for the trainer
// (RNG state, epoch, ...). Written atomically (temporary file + rename). The file is torch's
// archive followed by a 16-byte trailer, "WNCKSUM1" and the FNV-1a 64 of the archive bytes;
// a file whose checksum does not match is an error, never loaded.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wisenet/model/wisenet_model.h"

namespace wisenet {

struct CheckpointInfo {
  WiseNetOptions options;
  std::vector<std::string> class_names;
  int64_t step = 0;
  std::string extra = "{}";  // stored verbatim
  bool has_optimizer_state = false;
};

// Saves `model` (every named parameter and buffer, bit for bit), `optimizer`'s state when not
// null, and the rest. Throws wisenet::Error naming `path` when it cannot be written.
void save_checkpoint(const std::string& path, const WiseNetImpl& model,
                     const torch::optim::Optimizer* optimizer, int64_t step,
                     const std::vector<std::string>& class_names, const std::string& extra = "{}");

// Reads only the options, class names, step and extra, so a caller can build the right model
// (WiseNet(info.options, /*load_backbone_weights=*/false)) before load_checkpoint.
// Throws wisenet::Error naming `path` for a missing, truncated, corrupt (checksum) or foreign
// file.
CheckpointInfo read_checkpoint_info(const std::string& path);

// Restores `model` (and `optimizer` when not null) from `path`. Before changing anything it
// checks that the architecture matches: backbone, num_classes, embedding_dim, shared_backbone,
// then every parameter/buffer name and shape; the first difference is reported in one line
// (wisenet::Error naming `path`). An optimizer given for a checkpoint without optimizer state,
// or a state that does not fit the optimizer, is an error too.
CheckpointInfo load_checkpoint(const std::string& path, WiseNetImpl& model,
                               torch::optim::Optimizer* optimizer);

}  // namespace wisenet
