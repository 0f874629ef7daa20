#include "wisenet/proposals/proposal_for_point.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

constexpr int kH = 20, kW = 30;

Proposal box(int x, int y, int w, int h, double score) {
  cv::Mat mask = cv::Mat::zeros(kH, kW, CV_8U);
  mask(cv::Rect(x, y, w, h)).setTo(1);
  return {Rle::from_mask(mask), score};
}

TEST(ProposalForPoint, PrefersHighestScoringCandidateWithOnePoint) {
  const std::vector<Point> points{{5, 5, 1}, {12, 5, 1}};
  const Proposals proposals{
      box(0, 0, 20, 10, 0.95),  // 0: holds both points
      box(2, 2, 6, 6, 0.7),     // 1: only point 0
      box(3, 3, 4, 4, 0.8),     // 2: only point 0, better score
      box(10, 2, 5, 5, 0.6),    // 3: only point 1
      box(11, 4, 3, 3, 0.4),    // 4: only point 1 but below the threshold
  };
  const PointProposals r = proposal_for_point(points, proposals, kH, kW);
  EXPECT_EQ(r.chosen, (std::vector<int>{2, 3}));
  EXPECT_EQ(r.candidates[0], (std::vector<int>{0, 2, 1}));
  EXPECT_EQ(r.candidates[1], (std::vector<int>{0, 3}));
  EXPECT_EQ(r.pseudo_masks[0], proposals[2].mask);
  EXPECT_EQ(r.pseudo_masks[1], proposals[3].mask);
}

TEST(ProposalForPoint, SeveralPointsAllowedTakesTheBestCandidate) {
  const std::vector<Point> points{{5, 5, 1}, {12, 5, 1}};
  const Proposals proposals{box(0, 0, 20, 10, 0.95), box(3, 3, 4, 4, 0.8)};
  PointProposalOptions options;
  options.allow_several_points = true;
  const PointProposals r = proposal_for_point(points, proposals, kH, kW, options);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0}));
}

TEST(ProposalForPoint, FallsBackToThePointPixel) {
  const std::vector<Point> points{{5, 5, 1}, {6, 6, 1}, {25, 15, 1}};
  // Proposal 0 holds points 0 and 1 only; proposal 1 misses everything; 2 is too weak.
  const Proposals proposals{box(4, 4, 4, 4, 0.9), box(20, 0, 5, 5, 0.9),
                            box(24, 14, 3, 3, 0.5)};
  const PointProposals r = proposal_for_point(points, proposals, kH, kW);
  EXPECT_EQ(r.chosen, (std::vector<int>{-1, -1, -1}));
  EXPECT_TRUE(r.candidates[2].empty());  // score 0.5 is not > 0.5
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(r.pseudo_masks[i].area(), 1);
    EXPECT_TRUE(r.pseudo_masks[i].contains(points[i].x, points[i].y));
  }
  EXPECT_EQ(r.background.area(), kH * kW - 3);
}

TEST(ProposalForPoint, BackgroundIsWhatNoChosenProposalCovers) {
  const std::vector<Point> points{{5, 5, 1}, {20, 10, 1}};
  const Proposals proposals{box(2, 2, 6, 6, 0.9), box(18, 8, 5, 5, 0.7),
                            box(0, 15, 30, 5, 0.99)};  // chosen by nobody: stays background
  const PointProposals r = proposal_for_point(points, proposals, kH, kW);
  ASSERT_EQ(r.chosen, (std::vector<int>{0, 1}));
  const cv::Mat background = r.background.to_mask();
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      const bool covered = proposals[0].mask.contains(x, y) || proposals[1].mask.contains(x, y);
      ASSERT_EQ(background.at<uint8_t>(y, x) != 0, !covered) << x << "," << y;
    }
  }
  EXPECT_EQ(r.background.area(), kH * kW - 36 - 25);
}

TEST(ProposalForPoint, ThresholdIsAnOption) {
  const std::vector<Point> points{{5, 5, 1}};
  const Proposals proposals{box(4, 4, 3, 3, 0.3)};
  EXPECT_EQ(proposal_for_point(points, proposals, kH, kW).chosen[0], -1);
  PointProposalOptions options;
  options.score_threshold = 0.2;
  EXPECT_EQ(proposal_for_point(points, proposals, kH, kW, options).chosen[0], 0);
}

TEST(ProposalForPoint, NoPointsMeansAllBackground) {
  const PointProposals r = proposal_for_point({}, {box(0, 0, 5, 5, 0.9)}, kH, kW);
  EXPECT_EQ(r.background.area(), kH * kW);
}

TEST(ProposalForPoint, RejectsPointOutsideOrWrongSizedProposal) {
  EXPECT_THROW(proposal_for_point({{30, 0, 1}}, {}, kH, kW), Error);
  EXPECT_THROW(proposal_for_point({{0, 0, 1}}, {{Rle(5, 5), 0.9}}, kH, kW), Error);
}

TEST(PointPixelMask, IsOnePixel) {
  const Rle m = point_pixel_mask(29, 19, kH, kW);
  EXPECT_EQ(m.area(), 1);
  EXPECT_TRUE(m.contains(29, 19));
  EXPECT_TRUE(point_pixel_mask(0, 0, kH, kW).contains(0, 0));
}

}  // namespace
}  // namespace wisenet
