#pragma once
// Backbone: the common interface of the feature extractors behind L-Net and E-Net (the
// ResNets and the small CPU backbone). The FCN8 head needs exactly three feature maps.
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <string>

namespace wisenet {

// Features at strides 8, 16 and 32 of the input (ResNet's layer2, layer3, layer4).
// Sizes follow the convolution arithmetic: for odd inputs they are ceil-like, not exactly
// H/8, so consumers must read sizes from the tensors.
struct BackboneFeatures {
  torch::Tensor stride8;
  torch::Tensor stride16;
  torch::Tensor stride32;
};

// How BatchNorm behaves: auto = frozen when pretrained weights are loaded, trainable otherwise.
enum class BnMode { kAuto, kFrozen, kTrainable };

// Parses "auto" | "frozen" | "trainable"; throws wisenet::Error otherwise.
BnMode bn_mode_from_string(const std::string& name);
std::string to_string(BnMode mode);

// A backbone maps N×3×H×W normalised images to BackboneFeatures.
// Contract: parameter and buffer names are stable (checkpoints and weight import rely on them);
// with set_bn_frozen(true) every BatchNorm stays in eval mode even when train() is called and its
// affine parameters do not require gradients, so running statistics never change.
class BackboneImpl : public torch::nn::Module {
 public:
  virtual BackboneFeatures forward(const torch::Tensor& x) = 0;
  // Channels of the stride-8, -16 and -32 features.
  virtual std::array<int64_t, 3> channels() const = 0;

  void set_bn_frozen(bool frozen);
  bool bn_frozen() const { return bn_frozen_; }
  // Module::train, then puts BatchNorm layers back in eval mode when frozen.
  void train(bool on = true) override;

 private:
  bool bn_frozen_ = false;
};

// Builds "small" | "resnet18" | "resnet34" | "resnet50"; throws wisenet::Error for other names.
std::shared_ptr<BackboneImpl> make_backbone(const std::string& name);

}  // namespace wisenet
