#include "wisenet/model/backbone.h"

#include "wisenet/core/error.h"
#include "wisenet/model/resnet.h"
#include "wisenet/model/small_backbone.h"

namespace wisenet {

BnMode bn_mode_from_string(const std::string& name) {
  if (name == "auto") return BnMode::kAuto;
  if (name == "frozen") return BnMode::kFrozen;
  if (name == "trainable") return BnMode::kTrainable;
  throw Error("bn_mode: unknown value '" + name + "' (expected auto, frozen or trainable)");
}

std::string to_string(BnMode mode) {
  switch (mode) {
    case BnMode::kAuto:
      return "auto";
    case BnMode::kFrozen:
      return "frozen";
    case BnMode::kTrainable:
      return "trainable";
  }
  return "auto";
}

namespace {
// Applies `fn` to every BatchNorm2d below `module`.
template <typename Fn>
void for_each_batch_norm(torch::nn::Module& module, Fn fn) {
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (auto* bn = child->as<torch::nn::BatchNorm2d>()) fn(*bn);
  }
}
}  // namespace

void BackboneImpl::set_bn_frozen(bool frozen) {
  bn_frozen_ = frozen;
  for_each_batch_norm(*this, [frozen](torch::nn::BatchNorm2dImpl& bn) {
    bn.weight.set_requires_grad(!frozen);
    bn.bias.set_requires_grad(!frozen);
  });
  train(is_training());
}

void BackboneImpl::train(bool on) {
  torch::nn::Module::train(on);
  // Frozen statistics come from the pretrained data; batch-1 statistics would destroy them.
  if (bn_frozen_) for_each_batch_norm(*this, [](torch::nn::BatchNorm2dImpl& bn) { bn.eval(); });
}

std::shared_ptr<BackboneImpl> make_backbone(const std::string& name) {
  if (name == "small") return std::make_shared<SmallBackboneImpl>();
  if (name == "resnet18") return std::make_shared<ResNetImpl>(ResNetDepth::k18);
  if (name == "resnet34") return std::make_shared<ResNetImpl>(ResNetDepth::k34);
  if (name == "resnet50") return std::make_shared<ResNetImpl>(ResNetDepth::k50);
  throw Error("backbone: unknown name '" + name +
              "' (expected small, resnet18, resnet34 or resnet50)");
}

}  // namespace wisenet
