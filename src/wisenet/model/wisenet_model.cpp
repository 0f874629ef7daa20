#include "wisenet/model/wisenet_model.h"

#include "wisenet/core/error.h"
#include "wisenet/model/backbone_weights.h"

namespace wisenet {

bool WiseNetOptions::bn_frozen() const {
  return bn_mode == BnMode::kFrozen || (bn_mode == BnMode::kAuto && !backbone_weights.empty());
}

void WiseNetOptions::validate() const {
  if (backbone != "small" && backbone != "resnet18" && backbone != "resnet34" &&
      backbone != "resnet50") {
    throw Error("model options: backbone '" + backbone +
                "' is unknown (expected small, resnet18, resnet34 or resnet50)");
  }
  if (num_classes < 1) {
    throw Error("model options: num_classes must be >= 1, got " + std::to_string(num_classes));
  }
  if (embedding_dim < 1) {
    throw Error("model options: embedding_dim must be >= 1, got " + std::to_string(embedding_dim));
  }
}

nlohmann::json options_to_json(const WiseNetOptions& options) {
  return {{"backbone", options.backbone},           {"num_classes", options.num_classes},
          {"embedding_dim", options.embedding_dim}, {"shared_backbone", options.shared_backbone},
          {"bn_mode", to_string(options.bn_mode)},  {"backbone_weights", options.backbone_weights}};
}

WiseNetOptions options_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw Error("model options: expected a JSON object");
  WiseNetOptions options;
  auto field = [&json](const char* name, auto& target) {
    if (!json.contains(name)) return;
    try {
      json.at(name).get_to(target);
    } catch (const nlohmann::json::exception&) {
      throw Error(std::string("model options: field '") + name + "' has the wrong type");
    }
  };
  field("backbone", options.backbone);
  field("num_classes", options.num_classes);
  field("embedding_dim", options.embedding_dim);
  field("shared_backbone", options.shared_backbone);
  field("backbone_weights", options.backbone_weights);
  std::string bn_mode = to_string(options.bn_mode);
  field("bn_mode", bn_mode);
  options.bn_mode = bn_mode_from_string(bn_mode);
  options.validate();
  return options;
}

BranchImpl::BranchImpl(std::shared_ptr<BackboneImpl> own_backbone,
                       std::shared_ptr<BackboneImpl> borrowed_backbone, int64_t out_channels)
    : backbone(std::move(own_backbone)) {
  if (backbone) register_module("backbone", backbone);
  backbone_used = backbone ? backbone : std::move(borrowed_backbone);
  head = register_module("head", FCN8(backbone_used->channels(), out_channels));
}

torch::Tensor BranchImpl::forward(const torch::Tensor& x) {
  return head->forward(backbone_used->forward(x), {x.size(2), x.size(3)});
}

WiseNetImpl::WiseNetImpl(WiseNetOptions options, bool load_backbone_weights)
    : options_(std::move(options)) {
  options_.validate();
  auto lnet_backbone = make_backbone(options_.backbone);
  auto enet_backbone = options_.shared_backbone ? nullptr : make_backbone(options_.backbone);
  if (load_backbone_weights && !options_.backbone_weights.empty()) {
    load_backbone_weights_into(*lnet_backbone);
    if (enet_backbone) load_backbone_weights_into(*enet_backbone);
  }
  lnet_backbone->set_bn_frozen(options_.bn_frozen());
  if (enet_backbone) enet_backbone->set_bn_frozen(options_.bn_frozen());
  lnet = register_module("lnet", Branch(lnet_backbone, nullptr, options_.num_classes + 1));
  enet = register_module("enet", Branch(enet_backbone, lnet_backbone, options_.embedding_dim));
}

void WiseNetImpl::load_backbone_weights_into(BackboneImpl& backbone) const {
  load_backbone_weights(backbone, options_.backbone_weights);
}

torch::Tensor WiseNetImpl::localize(const torch::Tensor& x) { return lnet->forward(x); }

torch::Tensor WiseNetImpl::embed(const torch::Tensor& x) { return enet->forward(x); }

WiseNetOutput WiseNetImpl::forward(const torch::Tensor& x) {
  if (!options_.shared_backbone) return {localize(x), embed(x)};
  const BackboneFeatures features = lnet->feature_extractor().forward(x);
  const std::array<int64_t, 2> size = {x.size(2), x.size(3)};
  return {lnet->head->forward(features, size), enet->head->forward(features, size)};
}

namespace {
std::vector<torch::Tensor> trainable(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& p : parameters) {
    if (p.requires_grad()) out.push_back(p);
  }
  return out;
}
}  // namespace

std::vector<torch::Tensor> WiseNetImpl::lnet_parameters() const {
  return trainable(lnet->parameters());
}

std::vector<torch::Tensor> WiseNetImpl::enet_parameters() const {
  std::vector<torch::Tensor> parameters = enet->parameters();
  if (options_.shared_backbone) {
    // The borrowed backbone is registered under lnet only; list it first, as if owned.
    std::vector<torch::Tensor> shared = lnet->feature_extractor().parameters();
    parameters.insert(parameters.begin(), shared.begin(), shared.end());
  }
  return trainable(parameters);
}

}  // namespace wisenet
