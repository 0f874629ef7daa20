// Backbone shapes at odd and even sizes, and frozen versus trainable BatchNorm.
#include <gtest/gtest.h>

#include "wisenet/core/error.h"
#include "wisenet/model/backbone.h"
#include "wisenet/model/resnet.h"
#include "wisenet/model/small_backbone.h"

namespace wisenet {
namespace {

// Output size of k×k convolution / pooling with the given stride and padding.
int64_t conv_out(int64_t n, int64_t k, int64_t stride, int64_t pad) {
  return (n + 2 * pad - k) / stride + 1;
}

struct ShapeCase {
  std::string backbone;
  std::array<int64_t, 3> channels;
};

class BackboneShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(BackboneShapeTest, FeatureShapesAtOddAndEvenSizes) {
  const ShapeCase& c = GetParam();
  torch::manual_seed(0);
  auto net = make_backbone(c.backbone);
  EXPECT_EQ(net->channels(), c.channels);
  net->eval();
  torch::NoGradGuard no_grad;
  for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {65, 37}}) {
    const BackboneFeatures f = net->forward(torch::randn({2, 3, h, w}));
    // Expected sizes from the convolution arithmetic of each design.
    std::array<int64_t, 2> size = {h, w};
    std::array<std::array<int64_t, 2>, 3> expected{};
    for (int d = 0; d < 2; ++d) {
      int64_t n = size[d];
      if (c.backbone == "small") {
        n = conv_out(conv_out(conv_out(n, 3, 2, 1), 3, 2, 1), 3, 2, 1);
      } else {
        n = conv_out(conv_out(n, 7, 2, 3), 3, 2, 1);  // conv1, maxpool
        n = conv_out(n, 3, 2, 1);                     // layer2
      }
      expected[0][d] = n;
      expected[1][d] = conv_out(n, 3, 2, 1);
      expected[2][d] = conv_out(expected[1][d], 3, 2, 1);
    }
    const std::array<torch::Tensor, 3> maps = {f.stride8, f.stride16, f.stride32};
    for (int level = 0; level < 3; ++level) {
      EXPECT_EQ(maps[level].sizes(),
                c10::IntArrayRef({2, c.channels[level], expected[level][0], expected[level][1]}))
          << c.backbone << " at " << h << "x" << w << " level " << level;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackbones, BackboneShapeTest,
                         ::testing::Values(ShapeCase{"small", {32, 64, 128}},
                                           ShapeCase{"resnet18", {128, 256, 512}},
                                           ShapeCase{"resnet34", {128, 256, 512}},
                                           ShapeCase{"resnet50", {512, 1024, 2048}}),
                         [](const auto& info) { return info.param.backbone; });

TEST(BackboneTest, UnknownNameIsAnError) { EXPECT_THROW(make_backbone("vgg16"), Error); }

std::vector<torch::nn::BatchNorm2dImpl*> batch_norms(torch::nn::Module& module) {
  std::vector<torch::nn::BatchNorm2dImpl*> out;
  for (const auto& m : module.modules(/*include_self=*/false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) out.push_back(bn);
  }
  return out;
}

TEST(BackboneTest, FrozenBatchNormKeepsStatisticsAndGetsNoGradients) {
  torch::manual_seed(0);
  SmallBackboneImpl net;
  net.set_bn_frozen(true);
  net.train();  // the trainer calls train(); frozen BN must stay in eval mode
  const auto bns = batch_norms(net);
  ASSERT_EQ(bns.size(), 11u);
  std::vector<torch::Tensor> means;
  for (auto* bn : bns) {
    EXPECT_FALSE(bn->is_training());
    EXPECT_FALSE(bn->weight.requires_grad());
    EXPECT_FALSE(bn->bias.requires_grad());
    means.push_back(bn->running_mean.clone());
  }
  EXPECT_TRUE(net.is_training());
  const BackboneFeatures f = net.forward(torch::randn({2, 3, 40, 40}) * 3 + 1);
  (f.stride8.sum() + f.stride16.sum() + f.stride32.sum()).backward();
  for (size_t i = 0; i < bns.size(); ++i) {
    EXPECT_TRUE(torch::equal(bns[i]->running_mean, means[i])) << "bn " << i;
    EXPECT_FALSE(bns[i]->weight.grad().defined()) << "bn " << i;
    EXPECT_EQ(bns[i]->num_batches_tracked.item<int64_t>(), 0);
  }
  // The convolutions still learn.
  for (const auto& p : net.named_parameters()) {
    if (p.value().requires_grad()) {
      EXPECT_TRUE(p.value().grad().defined()) << p.key();
    }
  }
}

TEST(BackboneTest, TrainableBatchNormUpdatesStatistics) {
  torch::manual_seed(0);
  ResNetImpl net(ResNetDepth::k18);
  net.train();
  auto* bn = batch_norms(net).front();
  EXPECT_TRUE(bn->is_training());
  EXPECT_TRUE(bn->weight.requires_grad());
  const torch::Tensor before = bn->running_mean.clone();
  const BackboneFeatures f = net.forward(torch::randn({2, 3, 32, 32}) * 3 + 1);
  f.stride32.sum().backward();
  EXPECT_FALSE(torch::equal(bn->running_mean, before));
  EXPECT_TRUE(bn->weight.grad().defined());

  // Unfreezing restores train mode and gradients.
  net.set_bn_frozen(true);
  EXPECT_FALSE(bn->is_training());
  net.set_bn_frozen(false);
  EXPECT_TRUE(bn->is_training());
  EXPECT_TRUE(bn->weight.requires_grad());
}

}  // namespace
}  // namespace wisenet
