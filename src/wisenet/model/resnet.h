#pragma once
// ResNet-18/34/50 bodies laid out exactly as torchvision's (conv1, bn1, relu, maxpool,
// layer1..layer4, blocks with conv/bn pairs and downsample.0/1), so a torchvision state_dict
// loads by name. There is no fc layer: the model uses layer2..layer4 as FCN8 features.
#include <torch/torch.h>

#include "wisenet/model/backbone.h"

namespace wisenet {

// torchvision's BasicBlock (ResNet-18/34): two 3×3 convolutions, stride on the first.
struct BasicBlockImpl : torch::nn::Module {
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride);
  torch::Tensor forward(torch::Tensor x);

  // Declared in torchvision's order, so parameters enumerate in the same order.
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::BatchNorm2d bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // null when the shape does not change
};
TORCH_MODULE(BasicBlock);

// torchvision's Bottleneck (ResNet-50, "v1.5"): 1×1, 3×3 with the stride, 1×1 ×4 channels.
struct BottleneckImpl : torch::nn::Module {
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride);
  torch::Tensor forward(torch::Tensor x);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::BatchNorm2d bn2{nullptr};
  torch::nn::Conv2d conv3{nullptr};
  torch::nn::BatchNorm2d bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

enum class ResNetDepth { k18, k34, k50 };

// The ResNet body as a Backbone: stride8 = layer2, stride16 = layer3, stride32 = layer4.
// Channels: 128/256/512 for ResNet-18/34, 512/1024/2048 for ResNet-50.
class ResNetImpl : public BackboneImpl {
 public:
  explicit ResNetImpl(ResNetDepth depth);
  BackboneFeatures forward(const torch::Tensor& x) override;
  std::array<int64_t, 3> channels() const override;

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};

 private:
  torch::nn::Sequential make_layer(int64_t planes, int64_t blocks, int64_t stride);

  bool bottleneck_;
  int64_t inplanes_ = 64;
};

}  // namespace wisenet
