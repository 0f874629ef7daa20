#pragma once
// OnnxGraph: appends nodes and initializers to an ONNX GraphProto with the few operators the
// WISE-Net branches need, each spelled so that OpenCV 4.6's readNetFromONNX accepts it (no
// Identity nodes; Resize sizes computed from Shape so H and W stay dynamic).
// Usage:
//   onnx::ModelProto model;
//   OnnxGraph g(model.mutable_graph(), /*opset=*/11);
//   std::string y = g.relu(g.conv("image", weight, bias, /*stride=*/2, /*pad=*/1));
// Every method returns the name of the value it produced.
#include <ATen/core/Tensor.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wisenet {

class OnnxGraph {
 public:
  OnnxGraph(onnx::GraphProto* graph, int64_t opset) : graph_(graph), opset_(opset) {}

  // Square kernel from weight (O x I x k x k, float); bias (O) may be undefined.
  std::string conv(const std::string& x, const at::Tensor& weight, const at::Tensor& bias,
                   int64_t stride, int64_t pad);
  std::string relu(const std::string& x);
  std::string add(const std::string& a, const std::string& b);
  std::string max_pool(const std::string& x, int64_t kernel, int64_t stride, int64_t pad);
  // Bilinear, align_corners, to the spatial size of `like` (N and C of x kept).
  std::string resize_like(const std::string& x, const std::string& like);
  // x (N x C x H x W) upsampled by an integer factor: Resize(linear, half_pixel), as torch's
  // bilinear interpolate with align_corners false.
  std::string upsample(const std::string& x, int64_t factor);
  // Softmax over the channel axis of an N x C x H x W value. Before opset 13 ONNX's Softmax
  // flattens everything after `axis`, so there the channels are moved last and back.
  std::string softmax_channels(const std::string& x);

  // A float initializer holding `t` (contiguous copy), under a fresh name.
  std::string float_initializer(const at::Tensor& t, const std::string& hint);
  std::string int64_initializer(const std::vector<int64_t>& values, const std::string& hint);

 private:
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs);
  std::string fresh(const std::string& hint);

  onnx::GraphProto* graph_;
  int64_t opset_;
  int64_t counter_ = 0;
};

}  // namespace wisenet
