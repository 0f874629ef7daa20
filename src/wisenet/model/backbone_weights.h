#pragma once
// Importing pretrained (torchvision ImageNet) weights into a backbone by parameter name.
#include <torch/torch.h>

#include <string>

#include "wisenet/model/torch_pickle.h"

namespace wisenet {

// Copies every parameter and buffer of `module` (names as named_parameters/named_buffers give
// them, e.g. "layer1.0.bn1.running_mean") from `tensors`; keys the module lacks (torchvision's
// "fc.*") are ignored. Throws wisenet::Error naming `source` and the first missing parameter
// or the first whose shape differs; nothing is copied then.
void load_named_tensors(torch::nn::Module& module, const NamedTensors& tensors,
                        const std::string& source);

// read_torch_state_dict(path) then load_named_tensors.
void load_backbone_weights(torch::nn::Module& module, const std::string& path);

// "[64, 3, 7, 7]"
std::string shape_string(c10::IntArrayRef sizes);

}  // namespace wisenet
