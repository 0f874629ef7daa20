#pragma once
// SmallBackbone: a VGG-like conv/BN/ReLU stack cheap enough to train on 2 CPU cores in minutes
// (about 2.4k multiply-adds per input pixel, ~40 MMAC for a 128×128 image) that still sees
// enough context (receptive field ~200 px at stride 32) to localise 10–30 px objects.
#include <torch/torch.h>

#include "wisenet/model/backbone.h"

namespace wisenet {

// Features: stride8 32 channels, stride16 64 channels, stride32 128 channels.
// Every stride-2 step is a 3×3 convolution with stride 2 (padding 1), so an input of size n
// gives ceil(n / 2) at each step.
class SmallBackboneImpl : public BackboneImpl {
 public:
  SmallBackboneImpl();
  BackboneFeatures forward(const torch::Tensor& x) override;
  std::array<int64_t, 3> channels() const override { return {32, 64, 128}; }

 private:
  torch::nn::Sequential stage2{nullptr}, stage4{nullptr}, stage8{nullptr}, stage16{nullptr},
      stage32{nullptr};
};

}  // namespace wisenet
