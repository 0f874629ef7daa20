// The plan's work is shared between threads in an order that depends on timing (splitters,
// blobs, then floods, one task at a time); the plan must not: one thread and two give the same
// weights, argmax pixels and points, on maps with two classes, several blobs and splits.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <cmath>
#include <random>
#include <vector>

#include "wisenet/core/error.h"
#include "wisenet/loss/lcfcn_plan.h"

namespace wisenet {
namespace {

// Background and two classes of Gaussian bumps; a point on most bumps.
std::vector<cv::Mat> bump_maps(std::mt19937& rng, int size, std::vector<Point>* points) {
  std::vector<cv::Mat> score(3, cv::Mat());
  score[0] = cv::Mat(size, size, CV_32F, cv::Scalar(0.f));
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (int c = 1; c <= 2; ++c) {
    score[c] = cv::Mat(size, size, CV_32F, cv::Scalar(-3.f));
    for (int b = 0; b < 25; ++b) {
      const float cx = u(rng) * size, cy = u(rng) * size, sigma = 2.f + 2.f * u(rng);
      for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
          const float d = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma);
          score[c].at<float>(y, x) += 6.f * std::exp(-d);
        }
      }
      if (u(rng) < 0.8f) points->push_back({static_cast<int>(cx), static_cast<int>(cy), c});
    }
  }
  // Softmax over the three channels.
  std::vector<cv::Mat> s(3);
  for (int c = 0; c < 3; ++c) s[c] = cv::Mat(size, size, CV_32F);
  for (int i = 0; i < size * size; ++i) {
    float e[3], sum = 0;
    for (int c = 0; c < 3; ++c) sum += e[c] = std::exp(score[c].ptr<float>(0)[i]);
    for (int c = 0; c < 3; ++c) s[c].ptr<float>(0)[i] = e[c] / sum;
  }
  return s;
}

void expect_same(const PixelWeights& a, const PixelWeights& b) {
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(a.weights, b.weights);
}

TEST(LcfcnPlan, OneThreadAndTwoGiveTheSamePlan) {
  std::mt19937 rng(17);
  const int threads = at::get_num_threads();
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<Point> points;
    const std::vector<cv::Mat> maps = bump_maps(rng, 96, &points);
    at::set_num_threads(1);
    const LcfcnPlan one = lcfcn_plan(maps, points, {});
    at::set_num_threads(2);
    const LcfcnPlan two = lcfcn_plan(maps, points, {});
    EXPECT_EQ(one.argmax, two.argmax);
    EXPECT_EQ(one.class_points, two.class_points);
    EXPECT_EQ(one.point_index, two.point_index);
    expect_same(one.split_local, two.split_local);
    expect_same(one.split_global, two.split_global);
    expect_same(one.false_positive, two.false_positive);
    EXPECT_FALSE(one.split_local.empty());
    EXPECT_FALSE(one.split_global.empty());
  }
  at::set_num_threads(threads);
}

TEST(LcfcnPlan, RejectsPointsBeforeSharingWork) {
  std::mt19937 rng(3);
  std::vector<Point> points;
  const std::vector<cv::Mat> maps = bump_maps(rng, 32, &points);
  EXPECT_THROW(lcfcn_plan(maps, {{40, 0, 1}, {1, 1, 1}}, {}), Error);
  EXPECT_THROW(lcfcn_plan(maps, {{0, 0, 3}, {1, 1, 1}}, {}), Error);
  EXPECT_THROW(lcfcn_plan(maps, {{0, 0, 0}}, {}), Error);
}

}  // namespace
}  // namespace wisenet
