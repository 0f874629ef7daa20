#include "wisenet/deploy/onnx_graph.h"

#include <torch/torch.h>

#include <cstring>

namespace wisenet {

namespace {

void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void set_int(onnx::NodeProto* n, const std::string& name, int64_t value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_string(onnx::NodeProto* n, const std::string& name, const std::string& value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

}  // namespace

std::string OnnxGraph::fresh(const std::string& hint) {
  return hint + "_" + std::to_string(counter_++);
}

onnx::NodeProto* OnnxGraph::node(const std::string& op, const std::vector<std::string>& inputs) {
  onnx::NodeProto* n = graph_->add_node();
  n->set_op_type(op);
  const std::string out = fresh(op);
  n->set_name(out);
  for (const std::string& in : inputs) n->add_input(in);
  n->add_output(out);
  return n;
}

std::string OnnxGraph::float_initializer(const at::Tensor& t, const std::string& hint) {
  const torch::Tensor c = t.detach().to(torch::kFloat32).contiguous().cpu();
  onnx::TensorProto* init = graph_->add_initializer();
  const std::string name = fresh(hint);
  init->set_name(name);
  init->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : c.sizes()) init->add_dims(d);
  init->set_raw_data(std::string(reinterpret_cast<const char*>(c.data_ptr<float>()),
                                 sizeof(float) * static_cast<size_t>(c.numel())));
  return name;
}

std::string OnnxGraph::int64_initializer(const std::vector<int64_t>& values,
                                         const std::string& hint) {
  onnx::TensorProto* init = graph_->add_initializer();
  const std::string name = fresh(hint);
  init->set_name(name);
  init->set_data_type(onnx::TensorProto::INT64);
  init->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) init->add_int64_data(v);
  return name;
}

std::string OnnxGraph::conv(const std::string& x, const at::Tensor& weight, const at::Tensor& bias,
                            int64_t stride, int64_t pad) {
  std::vector<std::string> inputs = {x, float_initializer(weight, "W")};
  if (bias.defined()) inputs.push_back(float_initializer(bias, "B"));
  onnx::NodeProto* n = node("Conv", inputs);
  const int64_t k = weight.size(2);
  set_ints(n, "kernel_shape", {k, k});
  set_ints(n, "strides", {stride, stride});
  set_ints(n, "pads", {pad, pad, pad, pad});
  set_ints(n, "dilations", {1, 1});
  set_int(n, "group", 1);
  return n->output(0);
}

std::string OnnxGraph::relu(const std::string& x) { return node("Relu", {x})->output(0); }

std::string OnnxGraph::add(const std::string& a, const std::string& b) {
  return node("Add", {a, b})->output(0);
}

std::string OnnxGraph::max_pool(const std::string& x, int64_t kernel, int64_t stride, int64_t pad) {
  onnx::NodeProto* n = node("MaxPool", {x});
  set_ints(n, "kernel_shape", {kernel, kernel});
  set_ints(n, "strides", {stride, stride});
  set_ints(n, "pads", {pad, pad, pad, pad});
  return n->output(0);
}

std::string OnnxGraph::resize_like(const std::string& x, const std::string& like) {
  // sizes = shape(x)[0:2] ++ shape(like)[2:4]: computed in the graph so H and W stay dynamic.
  const std::string head =
      node("Slice", {node("Shape", {x})->output(0), int64_initializer({0}, "start"),
                     int64_initializer({2}, "end")})
          ->output(0);
  const std::string tail =
      node("Slice", {node("Shape", {like})->output(0), int64_initializer({2}, "start"),
                     int64_initializer({4}, "end")})
          ->output(0);
  onnx::NodeProto* concat = node("Concat", {head, tail});
  set_int(concat, "axis", 0);
  // roi and scales are unused with sizes; empty tensors rather than empty names, because
  // OpenCV 4.6 looks the scales input up by position.
  const at::Tensor empty = torch::zeros({0});
  onnx::NodeProto* n = node("Resize", {x, float_initializer(empty, "roi"),
                                       float_initializer(empty, "scales"), concat->output(0)});
  set_string(n, "mode", "linear");
  set_string(n, "coordinate_transformation_mode", "align_corners");
  return n->output(0);
}

std::string OnnxGraph::upsample(const std::string& x, int64_t factor) {
  const float f = static_cast<float>(factor);
  const at::Tensor empty = torch::zeros({0});
  onnx::NodeProto* n =
      node("Resize", {x, float_initializer(empty, "roi"),
                      float_initializer(torch::tensor({1.f, 1.f, f, f}), "scales")});
  set_string(n, "mode", "linear");
  set_string(n, "coordinate_transformation_mode", "half_pixel");
  return n->output(0);
}

std::string OnnxGraph::softmax_channels(const std::string& x) {
  if (opset_ >= 13) {
    onnx::NodeProto* n = node("Softmax", {x});
    set_int(n, "axis", 1);
    return n->output(0);
  }
  onnx::NodeProto* to_last = node("Transpose", {x});
  set_ints(to_last, "perm", {0, 2, 3, 1});
  onnx::NodeProto* soft = node("Softmax", {to_last->output(0)});
  set_int(soft, "axis", 3);
  onnx::NodeProto* back = node("Transpose", {soft->output(0)});
  set_ints(back, "perm", {0, 3, 1, 2});
  return back->output(0);
}

}  // namespace wisenet
