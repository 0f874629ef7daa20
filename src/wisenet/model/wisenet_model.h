#pragma once
// WiseNet: the two branches of WISE-Net (wisenet.md §1).
//   L-Net (localize): backbone + FCN8 → N×(C+1)×H×W logits (channel 0 = background).
//   E-Net (embed):    backbone + FCN8 → N×D×H×W raw embeddings.
// Usage:
//   WiseNetOptions options;  options.num_classes = 1;
//   WiseNet net(options);
//   torch::Tensor logits = net->localize(image_to_tensor(rgb));
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wisenet/model/backbone.h"
#include "wisenet/model/fcn8.h"
#include "wisenet/model/image_tensor.h"

namespace wisenet {

// The largest input scale a branch accepts (WiseNetOptions::lnet_input_scale).
inline constexpr int64_t kMaxInputScale = 4;

struct WiseNetOptions {
  std::string backbone = "small";  // small | resnet18 | resnet34 | resnet50
  int64_t num_classes = 1;         // C object classes; L-Net outputs C + 1 channels
  int64_t embedding_dim = 64;      // D
  bool shared_backbone = false;    // one backbone for both heads (joint training option)
  BnMode bn_mode = BnMode::kAuto;
  std::string backbone_weights;  // torchvision state-dict file; empty = random init
  // Each branch runs its backbone on the image upsampled by this integer factor (bilinear,
  // half-pixel centres) and its FCN8 head returns maps of the original size: a factor of 2
  // halves the output stride in image pixels (8 -> 4), for objects a few cells wide. 1..4;
  // with a shared backbone both factors must be equal.
  int64_t lnet_input_scale = 1;
  int64_t enet_input_scale = 1;

  // BatchNorm frozen: bn_mode frozen, or auto with backbone_weights given.
  bool bn_frozen() const;
  // Throws wisenet::Error naming the first invalid field.
  void validate() const;
};

// Every field, by its name above; bn_mode as "auto" | "frozen" | "trainable".
nlohmann::json options_to_json(const WiseNetOptions& options);
// Missing fields keep their defaults; wrong types or values are wisenet::Errors.
WiseNetOptions options_from_json(const nlohmann::json& json);

struct WiseNetOutput {
  torch::Tensor logits;      // N×(C+1)×H×W
  torch::Tensor embeddings;  // N×D×H×W
};

// One branch: a backbone and an FCN8 head. With a shared backbone the E-Net branch borrows the
// L-Net's backbone without registering it, so every parameter has exactly one name.
struct BranchImpl : torch::nn::Module {
  BranchImpl(std::shared_ptr<BackboneImpl> own_backbone,
             std::shared_ptr<BackboneImpl> borrowed_backbone, int64_t out_channels,
             int64_t input_scale = 1);
  // x: N×3×H×W; returns N×out_channels×H×W.
  torch::Tensor forward(const torch::Tensor& x);
  // The head's stride-8 grid (FCN8Impl::grid) whose upsampling to H×W is forward(x).
  torch::Tensor grid(const torch::Tensor& x);
  // x upsampled by input_scale (x itself when it is 1): what the backbone sees.
  torch::Tensor backbone_input(const torch::Tensor& x) const;
  int64_t input_scale() const { return input_scale_; }
  // The backbone this branch runs (its own or the borrowed one).
  BackboneImpl& feature_extractor() const { return *backbone_used; }

  std::shared_ptr<BackboneImpl> backbone;  // registered as "backbone"; null when borrowed
  FCN8 head{nullptr};
  std::shared_ptr<BackboneImpl> backbone_used;

 private:
  int64_t input_scale_ = 1;
};
TORCH_MODULE(Branch);

// Parameter names: "lnet.backbone.*", "lnet.head.*", "enet.head.*" and, unless the backbone is
// shared, "enet.backbone.*".
class WiseNetImpl : public torch::nn::Module {
 public:
  // Builds the branches; loads options.backbone_weights into every backbone when
  // load_backbone_weights is true (false when a checkpoint will supply all weights).
  // Throws wisenet::Error for invalid options or a bad weight file.
  explicit WiseNetImpl(WiseNetOptions options, bool load_backbone_weights = true);

  // x: N×3×H×W normalised images (image_to_tensor), any H, W ≥ 1. In train mode with
  // trainable BatchNorm and N = 1, the stride-32 map must hold more than one pixel (H or W
  // above 32), as BatchNorm needs more than one value per channel.
  torch::Tensor localize(const torch::Tensor& x);
  torch::Tensor embed(const torch::Tensor& x);
  // E-Net's N×D×gh×gw grid before the head's last upsampling: embed(x) is its bilinear
  // upsampling (align_corners) to H×W. Prediction joins seeds on it (infer/nearest_seed_cv.h)
  // without making the N×D×H×W map.
  torch::Tensor embedding_grid(const torch::Tensor& x);
  // Both outputs; with a shared backbone it runs once.
  WiseNetOutput forward(const torch::Tensor& x);

  // The parameters that require gradients, per branch (for an optimiser over one branch);
  // with a shared backbone both lists include it.
  std::vector<torch::Tensor> lnet_parameters() const;
  std::vector<torch::Tensor> enet_parameters() const;

  const WiseNetOptions& options() const { return options_; }

  // Copies every parameter and buffer of L-Net's backbone into E-Net's (BatchNorm statistics
  // included), so that E-Net training starts from what L-Net learnt. Throws wisenet::Error with
  // a shared backbone (there is only one).
  void start_enet_from_lnet();

  Branch lnet{nullptr};
  Branch enet{nullptr};

 private:
  void load_backbone_weights_into(BackboneImpl& backbone) const;

  WiseNetOptions options_;
};
TORCH_MODULE(WiseNet);

}  // namespace wisenet
