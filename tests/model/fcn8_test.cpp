// FCN8 head: hand-computed upsampling and any-size outputs.
#include <gtest/gtest.h>

#include "wisenet/model/fcn8.h"

namespace wisenet {
namespace {

// One channel in and out; each score conv is y = weight * x + bias.
FCN8 unit_head(float w8, float b8, float w16, float w32) {
  FCN8 head(std::array<int64_t, 3>{1, 1, 1}, 1);
  torch::NoGradGuard no_grad;
  head->score8->weight.fill_(w8);
  head->score8->bias.fill_(b8);
  head->score16->weight.fill_(w16);
  head->score16->bias.zero_();
  head->score32->weight.fill_(w32);
  head->score32->bias.zero_();
  return head;
}

TEST(FCN8Test, Stride8ScoreUpsampledByHand) {
  // score8 = 2 * [[1, 0], [0, 0]] + 0.5; upsampled 2×2 → 3×3 with align_corners: the corners
  // keep their values, edge midpoints average two, the centre averages four.
  FCN8 head = unit_head(2.0f, 0.5f, 0.0f, 0.0f);
  BackboneFeatures f;
  f.stride8 = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}).view({1, 1, 2, 2});
  f.stride16 = torch::zeros({1, 1, 1, 1});
  f.stride32 = torch::zeros({1, 1, 1, 1});
  const torch::Tensor out = head->forward(f, {3, 3});
  const torch::Tensor expected =
      torch::tensor({2.5f, 1.5f, 0.5f, 1.5f, 1.0f, 0.5f, 0.5f, 0.5f, 0.5f}).view({1, 1, 3, 3});
  EXPECT_TRUE(torch::allclose(out, expected, /*rtol=*/0, /*atol=*/1e-6)) << out;
}

TEST(FCN8Test, Stride32PathThroughTwoUpsamplings) {
  // score32 = [[0, 1], [2, 3]] = u + 2v in normalised coordinates u, v in [0, 1]. Bilinear
  // upsampling with align_corners keeps a function linear in (u, v) exact through
  // 2×2 → 3×3 (where score16 adds 10 at the centre) → 3×3 (stride 8, same size) → 5×5.
  FCN8 head = unit_head(0.0f, 0.0f, 1.0f, 1.0f);
  BackboneFeatures f;
  f.stride32 = torch::tensor({0.0f, 1.0f, 2.0f, 3.0f}).view({1, 1, 2, 2});
  torch::Tensor s16 = torch::zeros({1, 1, 3, 3});
  s16[0][0][1][1] = 10.0f;
  f.stride16 = s16;
  f.stride8 = torch::zeros({1, 1, 3, 3});
  const torch::Tensor out = head->forward(f, {5, 5}).squeeze();
  ASSERT_EQ(out.sizes(), c10::IntArrayRef({5, 5}));
  // Linear part: x + 2y with x, y in [0, 1] over the 5×5 grid (step 1/4).
  // Bump part: the 3×3 delta of height 10 at the centre is a tent of radius 2 pixels in the
  // 5×5 output: 10 * (1 - |dx|/2) * (1 - |dy|/2).
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 5; ++x) {
      const double linear = x / 4.0 + 2.0 * y / 4.0;
      const double bump = 10.0 * (1.0 - std::abs(x - 2) / 2.0) * (1.0 - std::abs(y - 2) / 2.0);
      EXPECT_NEAR(out[y][x].item<double>(), linear + bump, 1e-5) << "at " << x << "," << y;
    }
  }
  EXPECT_NEAR(out[0][0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(out[4][4].item<double>(), 3.0, 1e-6);
  EXPECT_NEAR(out[2][2].item<double>(), 11.5, 1e-5);
}

TEST(FCN8Test, AnyOutputSizeAndGradientsReachAllScores) {
  torch::manual_seed(0);
  FCN8 head(std::array<int64_t, 3>{8, 16, 32}, 3);
  BackboneFeatures f;
  f.stride8 = torch::randn({2, 8, 9, 5}, torch::requires_grad());
  f.stride16 = torch::randn({2, 16, 5, 3}, torch::requires_grad());
  f.stride32 = torch::randn({2, 32, 3, 2}, torch::requires_grad());
  const torch::Tensor out = head->forward(f, {67, 37});
  EXPECT_EQ(out.sizes(), c10::IntArrayRef({2, 3, 67, 37}));
  out.pow(2).sum().backward();
  EXPECT_GT(f.stride32.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(f.stride16.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(head->score32->weight.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace wisenet
