#include "wisenet/model/backbone_weights.h"

#include <unordered_map>

#include "wisenet/core/error.h"

namespace wisenet {

std::string shape_string(c10::IntArrayRef sizes) {
  std::string out = "[";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(sizes[i]);
  }
  return out + "]";
}

void load_named_tensors(torch::nn::Module& module, const NamedTensors& tensors,
                        const std::string& source) {
  std::unordered_map<std::string, const torch::Tensor*> by_name;
  for (const auto& [name, tensor] : tensors) by_name[name] = &tensor;

  std::vector<std::pair<torch::Tensor, const torch::Tensor*>> copies;
  auto match = [&](const std::string& name, const torch::Tensor& target) {
    const auto found = by_name.find(name);
    if (found == by_name.end()) throw Error(source, "missing parameter '" + name + "'");
    const torch::Tensor& loaded = *found->second;
    if (loaded.sizes() != target.sizes()) {
      throw Error(source, "parameter '" + name + "' has shape " + shape_string(loaded.sizes()) +
                              ", expected " + shape_string(target.sizes()));
    }
    copies.emplace_back(target, &loaded);
  };
  // Check everything before copying anything, so a failed load leaves the module as it was.
  for (const auto& item : module.named_parameters()) match(item.key(), item.value());
  for (const auto& item : module.named_buffers()) match(item.key(), item.value());

  torch::NoGradGuard no_grad;
  for (auto& [target, loaded] : copies) target.copy_(*loaded);
}

void load_backbone_weights(torch::nn::Module& module, const std::string& path) {
  load_named_tensors(module, read_torch_state_dict(path), path);
}

}  // namespace wisenet
