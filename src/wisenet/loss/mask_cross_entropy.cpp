#include "wisenet/loss/mask_cross_entropy.h"

#include <string>

#include <torch/torch.h>

#include "wisenet/core/error.h"

namespace wisenet {

at::Tensor class_map_target(const std::vector<Instance>& instances, int height, int width) {
  cv::Mat classes(height, width, CV_32S, cv::Scalar(0));
  // Crowds after the others, so that a crowd region is ignored whatever lies under it.
  for (const bool crowd_pass : {false, true}) {
    for (size_t i = 0; i < instances.size(); ++i) {
      const Instance& inst = instances[i];
      if (inst.iscrowd != crowd_pass) continue;
      if (inst.mask.height() != height || inst.mask.width() != width) {
        throw Error("mask cross-entropy: instance " + std::to_string(i) + " has a " +
                    std::to_string(inst.mask.width()) + "x" + std::to_string(inst.mask.height()) +
                    " mask in a " + std::to_string(width) + "x" + std::to_string(height) +
                    " image");
      }
      if (!inst.iscrowd && inst.category < 1) {
        throw Error("mask cross-entropy: instance " + std::to_string(i) + " has class " +
                    std::to_string(inst.category) + " (object classes are 1..C)");
      }
      const int value = inst.iscrowd ? static_cast<int>(kIgnoreClass) : inst.category;
      classes.setTo(cv::Scalar(value), inst.mask.to_mask());
    }
  }
  return torch::from_blob(classes.data, {height, width}, torch::kInt32)
      .to(torch::kLong)  // copies: the tensor owns its memory
      .clone();
}

at::Tensor mask_cross_entropy(const at::Tensor& logits, const at::Tensor& target) {
  const at::Tensor o = logits.dim() == 3 ? logits.unsqueeze(0) : logits;
  if (o.dim() != 4 || o.size(0) != 1) {
    throw Error("mask cross-entropy: logits must be (C+1)xHxW or 1x(C+1)xHxW");
  }
  if (target.dim() != 2 || target.size(0) != o.size(2) || target.size(1) != o.size(3)) {
    throw Error("mask cross-entropy: the target is not H x W of the logits");
  }
  const at::Tensor t = target.to(o.device(), torch::kLong).unsqueeze(0);
  if (t.numel() > 0 && t.max().item<int64_t>() >= o.size(1)) {
    throw Error("mask cross-entropy: the target has class " +
                std::to_string(t.max().item<int64_t>()) + " but the logits only " +
                std::to_string(o.size(1) - 1) + " object classes");
  }
  if ((t != kIgnoreClass).sum().item<int64_t>() == 0) return o.sum() * 0;
  return torch::nn::functional::cross_entropy(
      o, t, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreClass));
}

}  // namespace wisenet
