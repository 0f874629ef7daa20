#include "wisenet/model/small_backbone.h"

namespace wisenet {
namespace {

namespace nn = torch::nn;

// conv3×3 → BN → ReLU; the conv has no bias because BN supplies one.
void add_conv_bn_relu(nn::Sequential& stage, int64_t in, int64_t out, int64_t stride) {
  stage->push_back(nn::Conv2d(
      nn::Conv2dOptions(in, out, /*kernel_size=*/3).stride(stride).padding(1).bias(false)));
  stage->push_back(nn::BatchNorm2d(out));
  stage->push_back(nn::ReLU(nn::ReLUOptions().inplace(true)));
}

nn::Sequential make_stage(int64_t in, int64_t out, int64_t convs) {
  nn::Sequential stage;
  add_conv_bn_relu(stage, in, out, /*stride=*/2);
  for (int64_t i = 1; i < convs; ++i) add_conv_bn_relu(stage, out, out, /*stride=*/1);
  return stage;
}

}  // namespace

SmallBackboneImpl::SmallBackboneImpl()
    : stage2(register_module("stage2", make_stage(3, 16, /*convs=*/2))),
      stage4(register_module("stage4", make_stage(16, 32, /*convs=*/2))),
      stage8(register_module("stage8", make_stage(32, 32, /*convs=*/3))),
      stage16(register_module("stage16", make_stage(32, 64, /*convs=*/2))),
      stage32(register_module("stage32", make_stage(64, 128, /*convs=*/2))) {
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanOut, torch::kReLU);
    }
  }
}

BackboneFeatures SmallBackboneImpl::forward(const torch::Tensor& x) {
  BackboneFeatures features;
  features.stride8 = stage8->forward(stage4->forward(stage2->forward(x)));
  features.stride16 = stage16->forward(features.stride8);
  features.stride32 = stage32->forward(features.stride16);
  return features;
}

}  // namespace wisenet
