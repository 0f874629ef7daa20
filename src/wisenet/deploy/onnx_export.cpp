#include "wisenet/deploy/onnx_export.h"

#include <onnx/checker.h>
#include <torch/torch.h>

#include <filesystem>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/deploy/onnx_graph.h"
#include "wisenet/model/resnet.h"
#include "wisenet/model/small_backbone.h"

namespace wisenet {

namespace {

namespace nn = torch::nn;

int64_t first_of(const nn::Conv2dOptions::padding_t& padding) {
  return c10::get<torch::ExpandingArray<2>>(padding)->at(0);
}

// conv (no bias in the backbones) followed by eval-mode BatchNorm, as one convolution:
// w' = w * g / sqrt(var + eps), b' = (b - mean) * g / sqrt(var + eps) + beta, in double.
std::string conv_bn(OnnxGraph& g, const std::string& x, nn::Conv2dImpl& conv,
                    nn::BatchNorm2dImpl& bn) {
  const torch::Tensor scale = bn.weight.to(torch::kFloat64) /
                              (bn.running_var.to(torch::kFloat64) + bn.options.eps()).sqrt();
  const torch::Tensor weight = conv.weight.to(torch::kFloat64) * scale.view({-1, 1, 1, 1});
  torch::Tensor bias = -bn.running_mean.to(torch::kFloat64);
  if (conv.bias.defined()) bias = bias + conv.bias.to(torch::kFloat64);
  bias = bias * scale + bn.bias.to(torch::kFloat64);
  return g.conv(x, weight, bias, conv.options.stride()->at(0), first_of(conv.options.padding()));
}

std::string plain_conv(OnnxGraph& g, const std::string& x, nn::Conv2dImpl& conv) {
  return g.conv(x, conv.weight, conv.bias, conv.options.stride()->at(0),
                first_of(conv.options.padding()));
}

// A Sequential of Conv2d, BatchNorm2d, ReLU, ... (the small backbone's stages).
std::string sequential(OnnxGraph& g, std::string x, nn::SequentialImpl& seq) {
  nn::Conv2dImpl* pending = nullptr;
  for (const auto& child : seq.children()) {
    if (auto* conv = child->as<nn::Conv2d>()) {
      if (pending != nullptr) x = plain_conv(g, x, *pending);
      pending = conv;
    } else if (auto* bn = child->as<nn::BatchNorm2d>()) {
      if (pending == nullptr) throw Error("onnx export: BatchNorm without a convolution");
      x = conv_bn(g, x, *pending, *bn);
      pending = nullptr;
    } else if (child->as<nn::ReLU>() != nullptr) {
      if (pending != nullptr) x = plain_conv(g, x, *pending);
      pending = nullptr;
      x = g.relu(x);
    } else {
      throw Error("onnx export: unsupported layer " + child->name());
    }
  }
  if (pending != nullptr) x = plain_conv(g, x, *pending);
  return x;
}

std::string shortcut(OnnxGraph& g, const std::string& x, nn::Sequential downsample) {
  if (!downsample) return x;
  auto* conv = downsample[0]->as<nn::Conv2d>();
  auto* bn = downsample[1]->as<nn::BatchNorm2d>();
  return conv_bn(g, x, *conv, *bn);
}

std::string resnet_layer(OnnxGraph& g, std::string x, nn::SequentialImpl& layer) {
  for (const auto& child : layer.children()) {
    if (auto* b = child->as<BasicBlock>()) {
      std::string out = g.relu(conv_bn(g, x, *b->conv1, *b->bn1));
      out = conv_bn(g, out, *b->conv2, *b->bn2);
      x = g.relu(g.add(out, shortcut(g, x, b->downsample)));
    } else if (auto* b = child->as<Bottleneck>()) {
      std::string out = g.relu(conv_bn(g, x, *b->conv1, *b->bn1));
      out = g.relu(conv_bn(g, out, *b->conv2, *b->bn2));
      out = conv_bn(g, out, *b->conv3, *b->bn3);
      x = g.relu(g.add(out, shortcut(g, x, b->downsample)));
    } else {
      throw Error("onnx export: unsupported ResNet block " + child->name());
    }
  }
  return x;
}

struct FeatureNames {
  std::string stride8, stride16, stride32;
};

FeatureNames backbone_graph(OnnxGraph& g, const std::string& x, BackboneImpl& backbone) {
  if (auto* r = dynamic_cast<ResNetImpl*>(&backbone)) {
    std::string out = g.relu(conv_bn(g, x, *r->conv1, *r->bn1));
    out = g.max_pool(out, 3, 2, 1);
    out = resnet_layer(g, out, *r->layer1);
    FeatureNames f;
    f.stride8 = resnet_layer(g, out, *r->layer2);
    f.stride16 = resnet_layer(g, f.stride8, *r->layer3);
    f.stride32 = resnet_layer(g, f.stride16, *r->layer4);
    return f;
  }
  if (dynamic_cast<SmallBackboneImpl*>(&backbone) != nullptr) {
    // The stages are private members; named_children gives them in registration order.
    std::map<std::string, std::shared_ptr<nn::Module>> stages;
    for (const auto& item : backbone.named_children()) stages[item.key()] = item.value();
    auto stage = [&](const std::string& name, const std::string& in) {
      return sequential(g, in, *stages.at(name)->as<nn::Sequential>());
    };
    FeatureNames f;
    f.stride8 = stage("stage8", stage("stage4", stage("stage2", x)));
    f.stride16 = stage("stage16", f.stride8);
    f.stride32 = stage("stage32", f.stride16);
    return f;
  }
  throw Error("onnx export: unsupported backbone");
}

std::string fcn8_graph(OnnxGraph& g, const FeatureNames& f, FCN8Impl& head,
                       const std::string& image) {
  const std::string s8 = plain_conv(g, f.stride8, *head.score8);
  const std::string s16 = plain_conv(g, f.stride16, *head.score16);
  const std::string s32 = plain_conv(g, f.stride32, *head.score32);
  const std::string sum16 = g.add(s16, g.resize_like(s32, s16));
  const std::string sum8 = g.add(s8, g.resize_like(sum16, s8));
  return g.resize_like(sum8, image);
}

void add_value_info(onnx::ValueInfoProto* v, const std::string& name,
                    const std::vector<std::string>& dims) {
  v->set_name(name);
  auto* tensor = v->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (const std::string& d : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (d == "3") {
      dim->set_dim_value(3);
    } else {
      dim->set_dim_param(d);
    }
  }
}

void rename_output(onnx::GraphProto* graph, const std::string& from, const std::string& to) {
  for (auto& node : *graph->mutable_node()) {
    for (auto& out : *node.mutable_output()) {
      if (out == from) out = to;
    }
  }
}

}  // namespace

onnx::ModelProto export_branch(WiseNetImpl& model, OnnxBranch branch, int64_t opset) {
  if (opset < kMinOnnxOpset || opset > kMaxOnnxOpset) {
    throw Error("onnx export: opset " + std::to_string(opset) + " is not supported (expected " +
                std::to_string(kMinOnnxOpset) + ".." + std::to_string(kMaxOnnxOpset) + ")");
  }
  torch::NoGradGuard no_grad;
  const bool lnet = branch == OnnxBranch::kLNet;
  BranchImpl& b = lnet ? *model.lnet : *model.enet;

  onnx::ModelProto proto;
  proto.set_ir_version(7);
  proto.set_producer_name("wisenet");
  proto.set_producer_version("0.1.0");
  proto.set_model_version(1);
  auto* op = proto.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  onnx::GraphProto* graph = proto.mutable_graph();
  graph->set_name(lnet ? "wisenet_lnet" : "wisenet_enet");

  OnnxGraph g(graph, opset);
  const std::string image = "image";
  // The backbone sees the image upsampled by the branch's input scale; the head's maps come
  // back at the image's own size.
  const std::string backbone_in = b.input_scale() == 1 ? image : g.upsample(image, b.input_scale());
  std::string out =
      fcn8_graph(g, backbone_graph(g, backbone_in, b.feature_extractor()), *b.head, image);
  if (lnet) out = g.softmax_channels(out);
  const std::string output = lnet ? "probabilities" : "embeddings";
  rename_output(graph, out, output);

  add_value_info(graph->add_input(), image, {"N", "3", "H", "W"});
  add_value_info(graph->add_output(), output, {"N", lnet ? "C" : "D", "H", "W"});
  try {
    onnx::checker::check_model(proto);
  } catch (const std::exception& e) {
    std::string what = e.what();
    for (char& c : what) {
      if (c == '\n') c = ' ';
    }
    throw Error("onnx export: the ONNX checker rejected the " + graph->name() + " graph: " + what);
  }
  return proto;
}

void export_onnx(WiseNetImpl& model, const DeployConfig& config, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const bool was_training = model.is_training();
  model.eval();
  for (OnnxBranch branch : {OnnxBranch::kLNet, OnnxBranch::kENet}) {
    const onnx::ModelProto proto = export_branch(model, branch, config.opset);
    const std::string path =
        (std::filesystem::path(dir) / (branch == OnnxBranch::kLNet ? "lnet.onnx" : "enet.onnx"))
            .string();
    std::string bytes;
    if (!proto.SerializeToString(&bytes)) throw Error(path, "cannot serialise the ONNX model");
    write_file_atomic(path, bytes);
  }
  if (was_training) model.train();
  write_file_atomic((std::filesystem::path(dir) / "wisenet.json").string(),
                    deploy_config_to_json(config).dump(2) + "\n");
}

}  // namespace wisenet
