// The pair sampler of L_E: group sizes, pixels drawn from the right regions, determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <opencv2/core.hpp>

#include "wisenet/loss/pair_sampler.h"

namespace wisenet {
namespace {

Rle rect_mask(int h, int w, cv::Rect r) {
  cv::Mat m(h, w, CV_8U, cv::Scalar(0));
  m(r).setTo(1);
  return Rle::from_mask(m);
}

TEST(PairSampler, MaskPixelsAreRowMajor) {
  const Rle m = rect_mask(5, 7, cv::Rect(2, 1, 3, 2));  // x 2..4, y 1..2
  const std::vector<int64_t> want{9, 10, 11, 16, 17, 18};
  EXPECT_EQ(mask_pixels(m), want);
  EXPECT_TRUE(mask_pixels(Rle(5, 7)).empty());
}

TEST(PairSampler, GroupsHaveTheMethodsSizesAndRegions) {
  const int h = 10, w = 10;
  const std::vector<Point> points{{1, 1, 1}, {8, 1, 1}, {5, 8, 1}};
  const std::vector<Rle> masks{rect_mask(h, w, {0, 0, 3, 3}), rect_mask(h, w, {7, 0, 3, 3}),
                               rect_mask(h, w, {4, 7, 3, 3})};
  const Rle background = rect_mask(h, w, {0, 4, 10, 2});
  PixelSampler sampler(9);
  const SampledPairs s = sample_pairs(points, masks, background, 100, 100, 4, sampler);
  ASSERT_EQ(s.groups.size(), 4u);
  EXPECT_EQ(s.groups[0].name, "mask");
  EXPECT_EQ(s.groups[0].size(), 300u);
  EXPECT_EQ(s.groups[1].name, "points");
  EXPECT_EQ(s.groups[1].size(), 3u);
  EXPECT_EQ(s.groups[2].name, "background");
  EXPECT_EQ(s.groups[2].size(), 400u);
  EXPECT_EQ(s.groups[3].name, "anchor_point");
  EXPECT_EQ(s.groups[3].size(), 12u);
  EXPECT_TRUE(s.groups[0].same && !s.groups[1].same && s.groups[2].same && !s.groups[3].same);
  // Mask pairs: a pixel of point i's mask with point i.
  for (size_t k = 0; k < 300; ++k) {
    const size_t i = k / 100;
    const int64_t p = s.groups[0].first[k];
    EXPECT_TRUE(masks[i].contains(static_cast<int>(p % w), static_cast<int>(p / w)));
    EXPECT_EQ(s.groups[0].second[k], points[i].y * w + points[i].x);
  }
  ASSERT_EQ(s.anchor_pixels.size(), 4u);
  for (int64_t p : s.groups[2].second) {
    EXPECT_TRUE(background.contains(static_cast<int>(p % w), static_cast<int>(p / w)));
  }
  // Drawn with replacement and spread over the region (20 pixels, 300 draws).
  std::set<int64_t> distinct(s.groups[2].second.begin(), s.groups[2].second.end());
  EXPECT_GT(distinct.size(), 15u);

  PixelSampler again(9);
  const SampledPairs t = sample_pairs(points, masks, background, 100, 100, 4, again);
  EXPECT_EQ(t.groups[2].second, s.groups[2].second);
  EXPECT_EQ(t.anchor_pixels, s.anchor_pixels);
}

TEST(PairSampler, StolenPairs) {
  PixelSampler sampler(1);
  const auto groups = stolen_pairs({40, 41}, {0, 1, 2}, {50, 51}, 3, sampler);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "stolen_anchor");
  EXPECT_EQ(groups[0].size(), 6u);
  EXPECT_TRUE(groups[0].same);
  EXPECT_EQ(groups[1].name, "stolen_point");
  EXPECT_EQ(groups[1].size(), 9u);
  EXPECT_FALSE(groups[1].same);
  EXPECT_TRUE(stolen_pairs({}, {0}, {5}, 3, sampler).empty());
}

TEST(PairSampler, MissedPairs) {
  PixelSampler sampler(1);
  // Pixels 40 (of point 0) and 41 (of point 2); points at 0, 1, 2; anchors 50, 51.
  const auto groups = missed_pairs({{40, 0}, {41, 2}}, {0, 1, 2}, {50, 51}, 3, sampler);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].name, "missed_point");
  EXPECT_TRUE(groups[0].same);
  ASSERT_EQ(groups[0].size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    // Each drawn pixel is paired with its own point.
    EXPECT_EQ(groups[0].second[k], groups[0].first[k] == 40 ? 0 : 2);
  }
  EXPECT_EQ(groups[1].name, "missed_anchor");
  EXPECT_FALSE(groups[1].same);
  EXPECT_EQ(groups[1].size(), 6u);
  EXPECT_EQ(groups[2].name, "missed_other");
  EXPECT_FALSE(groups[2].same);
  ASSERT_EQ(groups[2].size(), 6u);
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_NE(groups[2].second[k], groups[2].first[k] == 40 ? 0 : 2);  // never its own point
  }
  EXPECT_TRUE(missed_pairs({}, {0}, {5}, 3, sampler).empty());
  // One point and no anchors: only its own-point pairs.
  const auto alone = missed_pairs({{7, 0}}, {0}, {}, 2, sampler);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].name, "missed_point");
}

}  // namespace
}  // namespace wisenet
