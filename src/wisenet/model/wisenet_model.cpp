#include "wisenet/model/wisenet_model.h"

#include <string>
#include <utility>

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
  for (const auto& [name, scale] :
       {std::pair<const char*, int64_t>{"lnet_input_scale", lnet_input_scale},
        {"enet_input_scale", enet_input_scale}}) {
    if (scale < 1 || scale > kMaxInputScale) {
      throw Error(std::string("model options: ") + name + " must be in 1.." +
                  std::to_string(kMaxInputScale) + ", got " + std::to_string(scale));
    }
  }
  if (shared_backbone && lnet_input_scale != enet_input_scale) {
    throw Error("model options: a shared backbone needs lnet_input_scale == enet_input_scale (" +
                std::to_string(lnet_input_scale) + " and " + std::to_string(enet_input_scale) +
                " given)");
  }
}

nlohmann::json options_to_json(const WiseNetOptions& options) {
  return {{"backbone", options.backbone},
          {"num_classes", options.num_classes},
          {"embedding_dim", options.embedding_dim},
          {"shared_backbone", options.shared_backbone},
          {"bn_mode", to_string(options.bn_mode)},
          {"backbone_weights", options.backbone_weights},
          {"lnet_input_scale", options.lnet_input_scale},
          {"enet_input_scale", options.enet_input_scale}};
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
  for (const char* name : {"lnet_input_scale", "enet_input_scale"}) {
    if (json.contains(name) && !json.at(name).is_number_integer()) {
      throw Error(std::string("model options: field '") + name + "' must be an integer");
    }
  }
  field("lnet_input_scale", options.lnet_input_scale);  // absent in older checkpoints: 1
  field("enet_input_scale", options.enet_input_scale);
  std::string bn_mode = to_string(options.bn_mode);
  field("bn_mode", bn_mode);
  options.bn_mode = bn_mode_from_string(bn_mode);
  options.validate();
  return options;
}

BranchImpl::BranchImpl(std::shared_ptr<BackboneImpl> own_backbone,
                       std::shared_ptr<BackboneImpl> borrowed_backbone, int64_t out_channels,
                       int64_t input_scale)
    : backbone(std::move(own_backbone)), input_scale_(input_scale) {
  if (backbone) register_module("backbone", backbone);
  backbone_used = backbone ? backbone : std::move(borrowed_backbone);
  head = register_module("head", FCN8(backbone_used->channels(), out_channels));
}

torch::Tensor BranchImpl::backbone_input(const torch::Tensor& x) const {
  if (input_scale_ == 1) return x;
  namespace F = torch::nn::functional;
  const double s = static_cast<double>(input_scale_);
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{s, s})
                               .mode(torch::kBilinear)
                               .align_corners(false)
                               .recompute_scale_factor(false));
}

torch::Tensor BranchImpl::forward(const torch::Tensor& x) {
  return head->forward(backbone_used->forward(backbone_input(x)), {x.size(2), x.size(3)});
}

torch::Tensor BranchImpl::grid(const torch::Tensor& x) {
  return head->grid(backbone_used->forward(backbone_input(x)));
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
  lnet = register_module(
      "lnet", Branch(lnet_backbone, nullptr, options_.num_classes + 1, options_.lnet_input_scale));
  enet = register_module("enet", Branch(enet_backbone, lnet_backbone, options_.embedding_dim,
                                        options_.enet_input_scale));
}

void WiseNetImpl::load_backbone_weights_into(BackboneImpl& backbone) const {
  load_backbone_weights(backbone, options_.backbone_weights);
}

void WiseNetImpl::start_enet_from_lnet() {
  if (options_.shared_backbone) {
    throw Error("start_enet_from_lnet: the branches share one backbone; nothing to copy");
  }
  torch::NoGradGuard no_grad;
  const auto to = enet->backbone->named_parameters();
  for (const auto& p : lnet->backbone->named_parameters()) to[p.key()].copy_(p.value());
  const auto to_buffers = enet->backbone->named_buffers();
  for (const auto& b : lnet->backbone->named_buffers()) to_buffers[b.key()].copy_(b.value());
}

torch::Tensor WiseNetImpl::localize(const torch::Tensor& x) { return lnet->forward(x); }

torch::Tensor WiseNetImpl::embed(const torch::Tensor& x) { return enet->forward(x); }

torch::Tensor WiseNetImpl::embedding_grid(const torch::Tensor& x) { return enet->grid(x); }

WiseNetOutput WiseNetImpl::forward(const torch::Tensor& x) {
  if (!options_.shared_backbone) return {localize(x), embed(x)};
  const BackboneFeatures features = lnet->feature_extractor().forward(lnet->backbone_input(x));
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
