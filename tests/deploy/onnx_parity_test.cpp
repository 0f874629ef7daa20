// The exported graphs, run by OpenCV dnn, against libtorch: every backbone, random weights
// and random BatchNorm statistics (so folding is exercised), inputs of several sizes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "test_env.h"
#include "wisenet/deploy/onnx_export.h"
#include "wisenet/deploy/onnx_runner.h"
#include "wisenet/model/image_tensor.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// A random WiseNet whose BatchNorm layers hold non-trivial statistics and affine parameters.
WiseNet random_model(const std::string& backbone, bool shared, int64_t classes = 2,
                     int64_t lnet_scale = 1, int64_t enet_scale = 1) {
  torch::manual_seed(3);
  WiseNetOptions o;
  o.lnet_input_scale = lnet_scale;
  o.enet_input_scale = enet_scale;
  o.backbone = backbone;
  o.num_classes = classes;
  o.embedding_dim = 8;
  o.shared_backbone = shared;
  WiseNet net(o);
  torch::NoGradGuard no_grad;
  for (const auto& m : net->modules(/*include_self=*/false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->running_mean.uniform_(-0.2, 0.2);
      bn->running_var.uniform_(0.5, 2.0);
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.uniform_(-0.2, 0.2);
    }
  }
  net->eval();
  return net;
}

DeployConfig config_for(WiseNetImpl& net) {
  DeployConfig c;
  c.model = net.options();
  for (int i = 1; i <= net.options().num_classes; ++i) {
    c.classes.category_ids.push_back(i);
    c.classes.names.push_back("class" + std::to_string(i));
  }
  return c;
}

// max |a - b| / max |b|.
double relative_error(const cv::Mat& onnx, const torch::Tensor& reference) {
  const torch::Tensor ref = reference.contiguous();
  std::vector<int64_t> sizes(onnx.size.p, onnx.size.p + onnx.dims);
  EXPECT_EQ(sizes, ref.sizes().vec());
  if (sizes != ref.sizes().vec()) return 1e9;
  const torch::Tensor got =
      torch::from_blob(const_cast<float*>(onnx.ptr<float>()), ref.sizes(), torch::kFloat32);
  return ((got - ref).abs().max() / ref.abs().max().clamp_min(1e-12)).item<double>();
}

void expect_parity(const std::string& backbone, bool shared,
                   const std::vector<std::pair<int, int>>& sizes, int64_t opset = 11,
                   int64_t lnet_scale = 1, int64_t enet_scale = 1) {
  torch::set_num_threads(2);
  WiseNet net = random_model(backbone, shared, 2, lnet_scale, enet_scale);
  const fs::path dir = test::temp_dir("onnx_parity_" + backbone);
  DeployConfig config = config_for(*net);
  config.opset = opset;
  export_onnx(*net, config, dir.string());
  OnnxRunner runner(dir.string());
  torch::NoGradGuard no_grad;
  for (const auto& [h, w] : sizes) {
    SCOPED_TRACE(backbone + " " + std::to_string(h) + "x" + std::to_string(w));
    const torch::Tensor x = torch::randn({1, 3, h, w});
    cv::Mat blob(std::vector<int>{1, 3, h, w}, CV_32F, x.data_ptr<float>());
    const torch::Tensor probabilities = torch::softmax(net->localize(x), 1);
    const torch::Tensor embeddings = net->embed(x);
    const double ep = relative_error(runner.probabilities(blob), probabilities);
    const double ee = relative_error(runner.embeddings(blob), embeddings);
    std::cout << backbone << " " << h << "x" << w << " probabilities " << ep << " embeddings " << ee
              << "\n";
    EXPECT_LE(ep, 1e-4);
    EXPECT_LE(ee, 1e-4);
  }
  fs::remove_all(dir);
}

// Three sizes: a multiple of 32, odd sizes (ceil-like feature sizes), a non-square one.
const std::vector<std::pair<int, int>> kSizes = {{64, 64}, {45, 37}, {50, 97}};

TEST(OnnxParity, SmallBackbone) { expect_parity("small", false, kSizes); }
TEST(OnnxParity, SmallSharedBackboneOpset13) { expect_parity("small", true, kSizes, 13); }
// The branches' input upsampling (Resize, half-pixel) against torch's bilinear interpolate.
TEST(OnnxParity, SmallBackboneWithInputScales) { expect_parity("small", false, kSizes, 11, 2, 3); }
TEST(OnnxParity, SmallSharedBackboneWithInputScaleOpset13) {
  expect_parity("small", true, kSizes, 13, 2, 2);
}
TEST(OnnxParity, ResNet18) { expect_parity("resnet18", false, kSizes); }
TEST(OnnxParity, ResNet34) { expect_parity("resnet34", true, kSizes); }
TEST(OnnxParity, ResNet50OneSize) { expect_parity("resnet50", true, {{45, 37}}); }

TEST(OnnxParity, ImageBlobMatchesImageToTensor) {
  cv::Mat rgb(13, 17, CV_8UC3);
  cv::RNG(1).fill(rgb, cv::RNG::UNIFORM, 0, 256);
  const cv::Mat blob = image_blob(rgb);
  const torch::Tensor ref = image_to_tensor(rgb);
  const torch::Tensor got =
      torch::from_blob(const_cast<float*>(blob.ptr<float>()), {1, 3, 13, 17}, torch::kFloat32);
  EXPECT_TRUE(torch::equal(got, ref));
}

}  // namespace
}  // namespace wisenet
