// ResNet parity with torchvision and importing torch.save'd weight files.
// The oracle (resnet_oracle.py, run with /usr/bin/python3) builds torchvision ResNets with
// seeded random weights and randomised BatchNorm statistics, saves state_dict() exactly as
// torchvision's published files are saved, and records layer2/3/4 for a fixed input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/model/backbone_weights.h"
#include "wisenet/model/resnet.h"
#include "wisenet/model/torch_pickle.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

torch::Tensor read_f32(const fs::path& path, const std::vector<int64_t>& shape) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  torch::Tensor t = torch::empty(shape, torch::kFloat);
  in.read(reinterpret_cast<char*>(t.data_ptr<float>()), t.numel() * sizeof(float));
  EXPECT_EQ(in.gcount(), static_cast<std::streamsize>(t.numel() * sizeof(float))) << path;
  return t;
}

using test::error_of;

class ResNetOracleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("/usr/bin/python3 -c 'import torchvision' >/dev/null 2>&1") != 0) return;
    dir_ = new fs::path(test::temp_dir("resnet_oracle"));
    const std::string script = std::string(WISENET_SOURCE_DIR) + "/tests/model/resnet_oracle.py";
    const std::string command = "/usr/bin/python3 " + script + " " + dir_->string();
    ok_ = std::system(command.c_str()) == 0;
    std::ifstream in(*dir_ / "shapes.json");
    if (ok_) shapes_ = new nlohmann::json(nlohmann::json::parse(in));
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    delete shapes_;
    dir_ = nullptr;
    shapes_ = nullptr;
  }
  void SetUp() override {
    if (dir_ == nullptr) GTEST_SKIP() << "/usr/bin/python3 cannot import torchvision";
    ASSERT_TRUE(ok_) << "resnet_oracle.py failed";
  }
  static fs::path file(const std::string& name) { return *dir_ / name; }

  // Loads <arch>.pth into our ResNet and compares layer2/3/4 with torchvision's (eval mode):
  // max |ours - theirs| <= 1e-4 * max |theirs| per layer.
  static void check_parity(const std::string& arch, ResNetDepth depth) {
    torch::manual_seed(0);
    ResNetImpl net(depth);
    load_backbone_weights(net, file(arch + ".pth").string());
    net.eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor x = read_f32(file("input.f32"), {1, 3, 64, 64});
    const BackboneFeatures ours = net.forward(x);
    const std::vector<std::pair<std::string, torch::Tensor>> layers = {
        {"layer2", ours.stride8}, {"layer3", ours.stride16}, {"layer4", ours.stride32}};
    for (const auto& [layer, tensor] : layers) {
      const auto shape = (*shapes_)[arch + "_" + layer].get<std::vector<int64_t>>();
      const torch::Tensor expected = read_f32(file(arch + "_" + layer + ".f32"), shape);
      ASSERT_EQ(tensor.sizes(), expected.sizes()) << arch << " " << layer;
      const double scale = expected.abs().max().item<double>();
      const double diff = (tensor - expected).abs().max().item<double>();
      EXPECT_GT(scale, 0.0);
      EXPECT_LE(diff, 1e-4 * scale) << arch << " " << layer << " max abs diff " << diff;
    }
  }

  static fs::path* dir_;
  static nlohmann::json* shapes_;
  static bool ok_;
};
fs::path* ResNetOracleTest::dir_ = nullptr;
nlohmann::json* ResNetOracleTest::shapes_ = nullptr;
bool ResNetOracleTest::ok_ = false;

TEST_F(ResNetOracleTest, ResNet18MatchesTorchvision) { check_parity("resnet18", ResNetDepth::k18); }
TEST_F(ResNetOracleTest, ResNet34MatchesTorchvision) { check_parity("resnet34", ResNetDepth::k34); }
TEST_F(ResNetOracleTest, ResNet50MatchesTorchvision) { check_parity("resnet50", ResNetDepth::k50); }

TEST_F(ResNetOracleTest, StateDictHasTorchvisionNamesAndBuffers) {
  const NamedTensors tensors = read_torch_state_dict(file("resnet50.pth").string());
  std::map<std::string, torch::Tensor> by_name(tensors.begin(), tensors.end());
  ResNetImpl net(ResNetDepth::k50);
  size_t matched = 0;
  for (const auto& item : net.named_parameters()) matched += by_name.count(item.key());
  for (const auto& item : net.named_buffers()) matched += by_name.count(item.key());
  // Every one of ours is in the file; the file has only fc.weight and fc.bias besides.
  EXPECT_EQ(matched, net.named_parameters().size() + net.named_buffers().size());
  EXPECT_EQ(tensors.size(), matched + 2);
  ASSERT_TRUE(by_name.count("layer1.0.downsample.1.num_batches_tracked"));
  const torch::Tensor count = by_name["layer1.0.downsample.1.num_batches_tracked"];
  EXPECT_EQ(count.scalar_type(), torch::kLong);
  EXPECT_EQ(count.item<int64_t>(), 7);
}

TEST_F(ResNetOracleTest, PlainDictLoadsLikeOrderedDict) {
  const NamedTensors ordered = read_torch_state_dict(file("resnet18.pth").string());
  const NamedTensors plain = read_torch_state_dict(file("resnet18_plain.pth").string());
  ASSERT_EQ(ordered.size(), plain.size());
  for (size_t i = 0; i < ordered.size(); ++i) {
    EXPECT_EQ(ordered[i].first, plain[i].first);
    EXPECT_TRUE(torch::equal(ordered[i].second, plain[i].second)) << ordered[i].first;
  }
}

TEST_F(ResNetOracleTest, MissingParameterIsNamed) {
  ResNetImpl net(ResNetDepth::k18);
  const torch::Tensor before = net.conv1->weight.clone();
  const std::string path = file("resnet18_missing.pth").string();
  const std::string message = error_of([&] { load_backbone_weights(net, path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("missing parameter 'layer1.0.bn1.running_mean'"), std::string::npos)
      << message;
  // The check runs before any copy.
  EXPECT_TRUE(torch::equal(before, net.conv1->weight));
}

TEST_F(ResNetOracleTest, ShapeMismatchIsNamed) {
  ResNetImpl net(ResNetDepth::k18);
  const std::string path = file("resnet18_badshape.pth").string();
  const std::string message = error_of([&] { load_backbone_weights(net, path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("'layer2.0.conv1.weight' has shape [128, 64, 1, 1], expected "
                         "[128, 64, 3, 3]"),
            std::string::npos)
      << message;
}

TEST_F(ResNetOracleTest, WrongDepthIsAShapeOrMissingError) {
  ResNetImpl net(ResNetDepth::k50);
  const std::string message =
      error_of([&] { load_backbone_weights(net, file("resnet18.pth").string()); });
  EXPECT_NE(message.find("resnet18.pth"), std::string::npos) << message;
  EXPECT_NE(message.find("layer1.0."), std::string::npos) << message;
}

TEST_F(ResNetOracleTest, WiseNetLoadsBackboneWeightsAndFreezesBatchNorm) {
  WiseNetOptions options;
  options.backbone = "resnet18";
  options.backbone_weights = file("resnet18.pth").string();
  WiseNet net(options);
  const NamedTensors tensors = read_torch_state_dict(options.backbone_weights);
  const torch::Tensor conv1 = tensors.front().second;
  ASSERT_EQ(tensors.front().first, "conv1.weight");
  EXPECT_TRUE(torch::equal(net->lnet->backbone->named_parameters()["conv1.weight"], conv1));
  EXPECT_TRUE(torch::equal(net->enet->backbone->named_parameters()["conv1.weight"], conv1));
  EXPECT_TRUE(net->lnet->backbone->bn_frozen());
  EXPECT_TRUE(net->enet->backbone->bn_frozen());

  // Built for a checkpoint: the file is not read (and need not exist).
  options.backbone_weights = (*dir_ / "absent.pth").string();
  WiseNet from_checkpoint(options, /*load_backbone_weights=*/false);
  EXPECT_TRUE(from_checkpoint->lnet->backbone->bn_frozen());
  EXPECT_THROW(WiseNet{options}, Error);
}

TEST(TorchPickleTest, MissingFileIsNamed) {
  const std::string path = (test::temp_dir("pickle") / "nope.pth").string();
  const std::string message = error_of([&] { read_torch_state_dict(path); });
  EXPECT_EQ(message, path + ": weight file not found");
}

TEST(TorchPickleTest, NonZipFileIsNamed) {
  const std::string path = (test::temp_dir("pickle") / "garbage.pth").string();
  std::ofstream(path) << "this is not a zip archive, just some text that is long enough";
  const std::string message = error_of([&] { read_torch_state_dict(path); });
  EXPECT_EQ(message.rfind(path + ": not a PyTorch zip archive", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

}  // namespace
}  // namespace wisenet
