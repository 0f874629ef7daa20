#include "wisenet/model/resnet.h"

namespace wisenet {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, /*kernel_size=*/3).stride(stride).padding(1).bias(false));
}

nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, /*kernel_size=*/1).stride(stride).bias(false));
}

// torchvision's shortcut projection; registered as "downsample" so its children are
// "downsample.0" (conv) and "downsample.1" (bn), as in torchvision.
nn::Sequential make_downsample(int64_t in, int64_t out, int64_t stride) {
  if (stride == 1 && in == out) return nullptr;
  return nn::Sequential(conv1x1(in, out, stride), nn::BatchNorm2d(out));
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride)
    : conv1(register_module("conv1", conv3x3(inplanes, planes, stride))),
      bn1(register_module("bn1", nn::BatchNorm2d(planes))),
      conv2(register_module("conv2", conv3x3(planes, planes, 1))),
      bn2(register_module("bn2", nn::BatchNorm2d(planes))),
      downsample(make_downsample(inplanes, planes * kExpansion, stride)) {
  if (downsample) register_module("downsample", downsample);
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor out = torch::relu(bn1(conv1(x)));
  out = bn2(conv2(out));
  torch::Tensor identity = downsample ? downsample->forward(x) : x;
  return torch::relu(out + identity);
}

BottleneckImpl::BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride)
    : conv1(register_module("conv1", conv1x1(inplanes, planes, 1))),
      bn1(register_module("bn1", nn::BatchNorm2d(planes))),
      conv2(register_module("conv2", conv3x3(planes, planes, stride))),
      bn2(register_module("bn2", nn::BatchNorm2d(planes))),
      conv3(register_module("conv3", conv1x1(planes, planes * kExpansion, 1))),
      bn3(register_module("bn3", nn::BatchNorm2d(planes * kExpansion))),
      downsample(make_downsample(inplanes, planes * kExpansion, stride)) {
  if (downsample) register_module("downsample", downsample);
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  torch::Tensor out = torch::relu(bn1(conv1(x)));
  out = torch::relu(bn2(conv2(out)));
  out = bn3(conv3(out));
  torch::Tensor identity = downsample ? downsample->forward(x) : x;
  return torch::relu(out + identity);
}

ResNetImpl::ResNetImpl(ResNetDepth depth) : bottleneck_(depth == ResNetDepth::k50) {
  const std::array<int64_t, 4> blocks = depth == ResNetDepth::k18
                                            ? std::array<int64_t, 4>{2, 2, 2, 2}
                                            : std::array<int64_t, 4>{3, 4, 6, 3};
  conv1 = register_module(
      "conv1",
      nn::Conv2d(nn::Conv2dOptions(3, 64, /*kernel_size=*/7).stride(2).padding(3).bias(false)));
  bn1 = register_module("bn1", nn::BatchNorm2d(64));
  layer1 = register_module("layer1", make_layer(64, blocks[0], 1));
  layer2 = register_module("layer2", make_layer(128, blocks[1], 2));
  layer3 = register_module("layer3", make_layer(256, blocks[2], 2));
  layer4 = register_module("layer4", make_layer(512, blocks[3], 2));

  // torchvision's initialisation, so training from scratch starts where Python's would.
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanOut, torch::kReLU);
    }
  }
}

nn::Sequential ResNetImpl::make_layer(int64_t planes, int64_t blocks, int64_t stride) {
  nn::Sequential layer;
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t block_stride = i == 0 ? stride : 1;
    if (bottleneck_) {
      layer->push_back(Bottleneck(inplanes_, planes, block_stride));
      inplanes_ = planes * BottleneckImpl::kExpansion;
    } else {
      layer->push_back(BasicBlock(inplanes_, planes, block_stride));
      inplanes_ = planes * BasicBlockImpl::kExpansion;
    }
  }
  return layer;
}

BackboneFeatures ResNetImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = torch::relu(bn1(conv1(x)));
  out = torch::max_pool2d(out, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
  out = layer1->forward(out);
  BackboneFeatures features;
  features.stride8 = layer2->forward(out);
  features.stride16 = layer3->forward(features.stride8);
  features.stride32 = layer4->forward(features.stride16);
  return features;
}

std::array<int64_t, 3> ResNetImpl::channels() const {
  const int64_t expansion = bottleneck_ ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;
  return {128 * expansion, 256 * expansion, 512 * expansion};
}

}  // namespace wisenet
