#pragma once
// ONNX export of a trained WiseNet (issue #10): libtorch's C++ frontend cannot export, but the
// branches are a fixed set of layers, so we write the graphs ourselves.
//   lnet.onnx: image (N x 3 x H x W, normalised) -> probabilities (N x (C+1) x H x W, softmax)
//   enet.onnx: image -> embeddings (N x D x H x W)
// BatchNorm (eval statistics) is folded into the preceding convolution; the FCN8 head's
// upsampling is Resize(linear, align_corners) to sizes read from the graph (dynamic N, H, W).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

#include "wisenet/deploy/deploy_config.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {

// Opsets the exporter writes (Resize with sizes needs 11).
inline constexpr int64_t kMinOnnxOpset = 11;
inline constexpr int64_t kMaxOnnxOpset = 13;

enum class OnnxBranch { kLNet, kENet };

// The model of one branch, checked with onnx::checker. Throws wisenet::Error for an opset
// outside [kMinOnnxOpset, kMaxOnnxOpset] or a graph the checker rejects.
onnx::ModelProto export_branch(WiseNetImpl& model, OnnxBranch branch, int64_t opset);

// Writes DIR/lnet.onnx, DIR/enet.onnx and DIR/wisenet.json (atomically; DIR is created).
// config.model must equal model.options(). Errors name the file.
void export_onnx(WiseNetImpl& model, const DeployConfig& config, const std::string& dir);

}  // namespace wisenet
