#include "wisenet/loss/mask_cross_entropy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

Instance square_instance(int category, cv::Rect r, int h, int w, bool crowd = false) {
  cv::Mat m(h, w, CV_8U, cv::Scalar(0));
  m(r).setTo(1);
  Instance inst;
  inst.category = category;
  inst.mask = Rle::from_mask(m);
  inst.iscrowd = crowd;
  return inst;
}

TEST(MaskCrossEntropy, HandMadeValue) {
  // Two pixels, background + 2 classes. Pixel 0: logits (0, ln 2, 0) -> S = (1/4, 1/2, 1/4),
  // target class 1: -log(1/2). Pixel 1: logits (ln 3, 0, 0) -> S = (3/5, 1/5, 1/5), target
  // background: -log(3/5). The mean is (ln 2 + ln 5/3) / 2.
  const at::Tensor logits =
      torch::tensor({0.0, std::log(3.0), std::log(2.0), 0.0, 0.0, 0.0}, torch::kDouble)
          .reshape({3, 1, 2});
  const at::Tensor target = torch::tensor({1, 0}, torch::kLong).reshape({1, 2});
  const double expected = (std::log(2.0) + std::log(5.0 / 3.0)) / 2.0;
  EXPECT_NEAR(mask_cross_entropy(logits, target).item<double>(), expected, 1e-12);
  // An ignored pixel is left out of the mean, not counted as 0.
  const at::Tensor ignore_second =
      torch::tensor({int64_t{1}, kIgnoreClass}, torch::kLong).reshape({1, 2});
  EXPECT_NEAR(mask_cross_entropy(logits, ignore_second).item<double>(), std::log(2.0), 1e-12);
  // 1 x (C+1) x H x W gives the same.
  EXPECT_NEAR(mask_cross_entropy(logits.unsqueeze(0), target).item<double>(), expected, 1e-12);
}

TEST(MaskCrossEntropy, GradientMatchesFiniteDifferences) {
  torch::manual_seed(3);
  const at::Tensor logits = torch::randn({3, 4, 5}, torch::kDouble).requires_grad_(true);
  const at::Tensor target = torch::randint(0, 3, {4, 5}, torch::kLong);
  target[0][0] = kIgnoreClass;
  mask_cross_entropy(logits, target).backward();
  const at::Tensor grad = logits.grad().clone();
  const double eps = 1e-6;
  for (int64_t i = 0; i < logits.numel(); i += 7) {
    at::Tensor plus = logits.detach().clone(), minus = logits.detach().clone();
    plus.view(-1)[i] += eps;
    minus.view(-1)[i] -= eps;
    const double numeric = (mask_cross_entropy(plus, target).item<double>() -
                            mask_cross_entropy(minus, target).item<double>()) /
                           (2 * eps);
    EXPECT_NEAR(grad.view(-1)[i].item<double>(), numeric, 1e-7) << "element " << i;
  }
}

TEST(MaskCrossEntropy, AllIgnoredIsZeroAndBadShapesAreErrors) {
  const at::Tensor logits = torch::zeros({2, 2, 2}, torch::kDouble).requires_grad_(true);
  const at::Tensor ignored = torch::full({2, 2}, kIgnoreClass, torch::kLong);
  const at::Tensor loss = mask_cross_entropy(logits, ignored);
  EXPECT_EQ(loss.item<double>(), 0.0);
  EXPECT_TRUE(loss.requires_grad());
  EXPECT_THROW(mask_cross_entropy(logits, torch::zeros({3, 2}, torch::kLong)), Error);
  EXPECT_THROW(mask_cross_entropy(logits, torch::full({2, 2}, 2, torch::kLong)), Error);
}

TEST(ClassMapTarget, LaterInstancesWinAndCrowdsAreIgnored) {
  const int h = 6, w = 8;
  const std::vector<Instance> instances = {square_instance(1, {0, 0, 4, 4}, h, w),
                                           square_instance(2, {2, 2, 4, 3}, h, w),
                                           square_instance(1, {6, 4, 2, 2}, h, w, /*crowd=*/true)};
  const at::Tensor t = class_map_target(instances, h, w);
  ASSERT_EQ(t.sizes(), (at::IntArrayRef{h, w}));
  EXPECT_EQ(t[0][0].item<int64_t>(), 1);
  EXPECT_EQ(t[3][3].item<int64_t>(), 2);  // in both: the later one
  EXPECT_EQ(t[5][0].item<int64_t>(), 0);
  EXPECT_EQ(t[5][7].item<int64_t>(), kIgnoreClass);
  EXPECT_EQ((t == 1).sum().item<int64_t>(), 16 - 4);
  EXPECT_THROW(class_map_target({square_instance(1, {0, 0, 2, 2}, 4, 4)}, h, w), Error);
  EXPECT_THROW(class_map_target({square_instance(0, {0, 0, 2, 2}, h, w)}, h, w), Error);
}

}  // namespace
}  // namespace wisenet
