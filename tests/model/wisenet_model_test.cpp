// WiseNet: branch outputs, shared backbone, per-branch parameters, options JSON, input
// normalisation.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <set>

#include "wisenet/core/error.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {
namespace {

WiseNetOptions small_options(bool shared) {
  WiseNetOptions options;
  options.backbone = "small";
  options.num_classes = 3;
  options.embedding_dim = 16;
  options.shared_backbone = shared;
  return options;
}

std::set<const void*> identities(const std::vector<torch::Tensor>& tensors) {
  std::set<const void*> out;
  for (const auto& t : tensors) out.insert(t.unsafeGetTensorImpl());
  return out;
}

TEST(WiseNetTest, OutputShapesForBothBranches) {
  for (bool shared : {false, true}) {
    torch::manual_seed(0);
    WiseNet net(small_options(shared));
    const torch::Tensor x = torch::randn({2, 3, 45, 62});
    EXPECT_EQ(net->localize(x).sizes(), c10::IntArrayRef({2, 4, 45, 62}));
    EXPECT_EQ(net->embed(x).sizes(), c10::IntArrayRef({2, 16, 45, 62}));
    const WiseNetOutput both = net->forward(x);
    net->eval();
    torch::NoGradGuard no_grad;
    const WiseNetOutput eval_both = net->forward(x);
    EXPECT_TRUE(torch::allclose(eval_both.logits, net->localize(x), 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(eval_both.embeddings, net->embed(x), 1e-5, 1e-5));
    EXPECT_EQ(both.logits.size(1), 4);
  }
}

TEST(WiseNetTest, InputScaleUpsamplesTheBackboneInputAndKeepsTheOutputSize) {
  WiseNetOptions options = small_options(false);
  options.lnet_input_scale = 2;
  options.enet_input_scale = 3;
  torch::manual_seed(0);
  WiseNet net(options);
  net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({1, 3, 45, 62});
  EXPECT_EQ(net->localize(x).sizes(), c10::IntArrayRef({1, 4, 45, 62}));
  EXPECT_EQ(net->embed(x).sizes(), c10::IntArrayRef({1, 16, 45, 62}));
  EXPECT_EQ(net->lnet->backbone_input(x).sizes(), c10::IntArrayRef({1, 3, 90, 124}));
  EXPECT_EQ(net->enet->backbone_input(x).sizes(), c10::IntArrayRef({1, 3, 135, 186}));
  // The branch equals its head on the backbone's features of the upsampled image.
  namespace F = torch::nn::functional;
  const torch::Tensor big = F::interpolate(x, F::InterpolateFuncOptions()
                                                  .size(std::vector<int64_t>{90, 124})
                                                  .mode(torch::kBilinear)
                                                  .align_corners(false));
  const torch::Tensor expected =
      net->lnet->head->forward(net->lnet->backbone->forward(big), {45, 62});
  EXPECT_TRUE(torch::allclose(net->localize(x), expected, 1e-5, 1e-5));
  // Scale 1 differs from scale 2 on the same weights: the option is not ignored.
  WiseNetOptions plain = small_options(false);
  torch::manual_seed(0);
  WiseNet same_weights(plain);
  same_weights->eval();
  EXPECT_FALSE(torch::allclose(same_weights->localize(x), net->localize(x), 1e-3, 1e-3));
}

// Prediction joins seeds on the E-Net's grid: its upsampling is the E-Net's output, at input
// scales 1 and 3 and with a shared backbone.
TEST(WiseNetTest, EmbeddingGridUpsampledIsTheEmbedding) {
  for (const auto& [scale, shared] : {std::pair{1, false}, std::pair{3, false}, {1, true}}) {
    WiseNetOptions options = small_options(shared);
    options.enet_input_scale = scale;
    torch::manual_seed(0);
    WiseNet net(options);
    net->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::randn({1, 3, 45, 62});
    const torch::Tensor grid = net->embedding_grid(x);
    EXPECT_LT(grid.size(2), 45) << scale;  // a coarser grid
    EXPECT_TRUE(torch::equal(upsample_bilinear(grid, {45, 62}), net->embed(x))) << scale;
  }
}

TEST(WiseNetTest, SeparateBackbonesHaveSeparateNamedParameters) {
  WiseNet net(small_options(false));
  const auto names = net->named_parameters().keys();
  const std::set<std::string> all(names.begin(), names.end());
  EXPECT_TRUE(all.count("lnet.backbone.stage2.0.weight"));
  EXPECT_TRUE(all.count("enet.backbone.stage2.0.weight"));
  EXPECT_TRUE(all.count("lnet.head.score8.weight"));
  EXPECT_TRUE(all.count("enet.head.score32.bias"));
  const auto lnet = identities(net->lnet_parameters());
  const auto enet = identities(net->enet_parameters());
  for (const void* p : lnet) EXPECT_EQ(enet.count(p), 0u);
  EXPECT_EQ(lnet.size() + enet.size(), net->parameters().size());
}

// The E-Net's backbone becomes a copy of L-Net's (parameters and BatchNorm statistics), not a
// shared one; the heads keep their own weights; with a shared backbone it is an error.
TEST(WiseNetTest, StartEnetFromLnetCopiesTheBackbone) {
  torch::manual_seed(5);
  WiseNet net(small_options(false));
  {
    torch::NoGradGuard no_grad;
    for (auto& b : net->lnet->backbone->named_buffers()) {
      if (b.value().is_floating_point()) b.value().uniform_(0.5, 1.5);
    }
  }
  const torch::Tensor head_before = net->enet->head->named_parameters()["score8.weight"].clone();
  net->start_enet_from_lnet();
  const auto from = net->lnet->backbone->named_parameters();
  const auto to = net->enet->backbone->named_parameters();
  ASSERT_EQ(from.size(), to.size());
  for (const auto& p : from) {
    EXPECT_TRUE(torch::equal(p.value(), to[p.key()])) << p.key();
    EXPECT_NE(p.value().data_ptr(), to[p.key()].data_ptr()) << p.key();
  }
  const auto to_buffers = net->enet->backbone->named_buffers();
  for (const auto& b : net->lnet->backbone->named_buffers()) {
    EXPECT_TRUE(torch::equal(b.value(), to_buffers[b.key()])) << b.key();
  }
  EXPECT_TRUE(torch::equal(head_before, net->enet->head->named_parameters()["score8.weight"]));
  WiseNet shared(small_options(true));
  EXPECT_THROW(shared->start_enet_from_lnet(), Error);
}

TEST(WiseNetTest, SharedBackboneHasOneBackboneInBothBranchLists) {
  WiseNet net(small_options(true));
  const auto names = net->named_parameters().keys();
  const std::set<std::string> all(names.begin(), names.end());
  EXPECT_TRUE(all.count("lnet.backbone.stage2.0.weight"));
  for (const auto& name : all) EXPECT_EQ(name.rfind("enet.backbone", 0), std::string::npos);
  const auto backbone = identities(net->lnet->backbone->parameters());
  const auto lnet = identities(net->lnet_parameters());
  const auto enet = identities(net->enet_parameters());
  for (const void* p : backbone) {
    EXPECT_EQ(lnet.count(p), 1u);
    EXPECT_EQ(enet.count(p), 1u);
  }
  // Training E-Net moves the shared backbone's gradients.
  net->embed(torch::randn({1, 3, 48, 48})).sum().backward();
  EXPECT_TRUE(net->lnet->backbone->parameters().front().grad().defined());
  EXPECT_FALSE(net->lnet->head->score8->weight.grad().defined());
}

TEST(WiseNetTest, FrozenModeExcludesBatchNormAffineFromBranchLists) {
  WiseNetOptions options = small_options(false);
  options.bn_mode = BnMode::kFrozen;
  WiseNet frozen(options);
  WiseNet trainable(small_options(false));
  // 11 BatchNorms, weight + bias each.
  EXPECT_EQ(trainable->lnet_parameters().size() - frozen->lnet_parameters().size(), 22u);
  EXPECT_FALSE(WiseNetOptions{}.bn_frozen());
}

TEST(WiseNetTest, OptionsJsonRoundTrip) {
  WiseNetOptions options;
  options.backbone = "resnet34";
  options.num_classes = 20;
  options.embedding_dim = 32;
  options.shared_backbone = true;
  options.bn_mode = BnMode::kTrainable;
  options.backbone_weights = "/tmp/w.pth";
  options.lnet_input_scale = 2;
  options.enet_input_scale = 2;
  const nlohmann::json json = options_to_json(options);
  EXPECT_EQ(json.at("lnet_input_scale"), 2);
  EXPECT_EQ(json.at("bn_mode"), "trainable");
  const WiseNetOptions back = options_from_json(json);
  EXPECT_EQ(options_to_json(back), json);
  // Missing fields keep defaults.
  const WiseNetOptions defaults = options_from_json(nlohmann::json::object());
  EXPECT_EQ(defaults.backbone, "small");
  EXPECT_EQ(defaults.embedding_dim, 64);
  EXPECT_EQ(defaults.lnet_input_scale, 1);
  EXPECT_EQ(defaults.enet_input_scale, 1);
}

TEST(WiseNetTest, BadOptionsAreNamed) {
  auto message = [](const nlohmann::json& json) {
    try {
      options_from_json(json);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message({{"backbone", "vgg"}}).find("backbone 'vgg'"), std::string::npos);
  EXPECT_NE(message({{"num_classes", 0}}).find("num_classes"), std::string::npos);
  EXPECT_NE(message({{"bn_mode", "sometimes"}}).find("bn_mode"), std::string::npos);
  EXPECT_NE(message({{"embedding_dim", "big"}}).find("'embedding_dim'"), std::string::npos);
  EXPECT_NE(message({{"lnet_input_scale", 0}}).find("lnet_input_scale must be in 1..4"),
            std::string::npos);
  EXPECT_NE(message({{"enet_input_scale", 5}}).find("enet_input_scale must be in 1..4"),
            std::string::npos);
  EXPECT_NE(message({{"lnet_input_scale", 1.5}}).find("'lnet_input_scale' must be an integer"),
            std::string::npos);
  EXPECT_NE(message({{"shared_backbone", true}, {"lnet_input_scale", 2}}).find("shared backbone"),
            std::string::npos);
}

TEST(ImageToTensorTest, NormalisesWithImageNetStatistics) {
  cv::Mat rgb(2, 3, CV_8UC3, cv::Scalar(255, 0, 128));
  rgb.at<cv::Vec3b>(1, 2) = cv::Vec3b(0, 255, 10);
  const torch::Tensor t = image_to_tensor(rgb);
  EXPECT_EQ(t.sizes(), c10::IntArrayRef({1, 3, 2, 3}));
  EXPECT_NEAR(t[0][0][0][0].item<float>(), (1.0 - 0.485) / 0.229, 1e-5);
  EXPECT_NEAR(t[0][1][0][0].item<float>(), (0.0 - 0.456) / 0.224, 1e-5);
  EXPECT_NEAR(t[0][2][0][0].item<float>(), (128 / 255.0 - 0.406) / 0.225, 1e-5);
  EXPECT_NEAR(t[0][0][1][2].item<float>(), (0.0 - 0.485) / 0.229, 1e-5);
  EXPECT_NEAR(t[0][1][1][2].item<float>(), (1.0 - 0.456) / 0.224, 1e-5);
  EXPECT_NEAR(t[0][2][1][2].item<float>(), (10 / 255.0 - 0.406) / 0.225, 1e-5);
  EXPECT_THROW(image_to_tensor(cv::Mat()), Error);
  EXPECT_THROW(image_to_tensor(cv::Mat(2, 2, CV_32FC3)), Error);
}

}  // namespace
}  // namespace wisenet

namespace wisenet {
namespace {

// The small backbone must be able to localise ~10–30 px objects: fitted by plain per-pixel
// cross-entropy on one 96×96 image with four discs, L-Net's foreground must reach IoU > 0.8
// with the discs within 80 Adam steps (a network that cannot resolve such objects, e.g. one
// upsampling only the stride-32 map, stays far below). Seeded; runs in a few seconds.
TEST(WiseNetTest, SmallLNetLearnsToLocaliseDiscs) {
  // One thread: ctest runs test programs side by side, and OpenMP threads on an oversubscribed
  // machine spin at barriers (measured ~100x slower per convolution than one thread).
  torch::set_num_threads(1);
  torch::manual_seed(0);
  cv::Mat image(96, 96, CV_8UC3, cv::Scalar(90, 110, 100));
  cv::Mat mask(96, 96, CV_8UC1, cv::Scalar(0));
  const std::vector<std::pair<cv::Point, int>> discs = {
      {{20, 24}, 6}, {{60, 20}, 10}, {{30, 70}, 14}, {{75, 72}, 8}};
  for (const auto& [centre, radius] : discs) {
    cv::circle(image, centre, radius, cv::Scalar(200, 60, 60), cv::FILLED);
    cv::circle(mask, centre, radius, cv::Scalar(1), cv::FILLED);
  }
  const torch::Tensor x = image_to_tensor(image);
  const torch::Tensor target =
      torch::from_blob(mask.data, {1, 96, 96}, torch::kUInt8).to(torch::kLong);

  WiseNetOptions options;
  options.num_classes = 1;
  WiseNet net(options);
  net->train();
  torch::optim::Adam adam(net->lnet_parameters(), torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 80; ++step) {
    adam.zero_grad();
    torch::nn::functional::cross_entropy(net->localize(x), target).backward();
    adam.step();
  }
  net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor predicted = net->localize(x).argmax(1);
  const double intersection = (predicted.eq(1) & target.eq(1)).sum().item<double>();
  const double union_ = (predicted.eq(1) | target.eq(1)).sum().item<double>();
  EXPECT_GT(intersection / union_, 0.8) << "IoU " << intersection / union_;
}

}  // namespace
}  // namespace wisenet
