#include "wisenet/proposals/proposal_quality.h"

#include <gtest/gtest.h>

namespace wisenet {
namespace {

constexpr int kH = 10, kW = 20;

Rle box(int x, int y, int w, int h) {
  cv::Mat mask = cv::Mat::zeros(kH, kW, CV_8U);
  mask(cv::Rect(x, y, w, h)).setTo(1);
  return Rle::from_mask(mask);
}

Instance object(int64_t id, const Rle& mask, int px, int py) {
  Instance o;
  o.id = id;
  o.category = 3;
  o.mask = mask;
  o.point = Point{px, py, 3};
  return o;
}

TEST(ProposalQuality, BestAndChosenIou) {
  // Object 1: 4x4 at (0,0); object 2: 4x4 at (10,0); object 3 has no point and is skipped.
  std::vector<Instance> objects{object(1, box(0, 0, 4, 4), 1, 1), object(2, box(10, 0, 4, 4), 11, 1)};
  Instance no_point;
  no_point.mask = box(5, 5, 2, 2);
  objects.push_back(no_point);
  const Proposals proposals{
      {box(0, 0, 4, 4), 0.3},  // exact for object 1 but below the threshold
      {box(0, 0, 4, 2), 0.8},  // chosen for object 1: IoU 0.5
      {box(10, 0, 4, 4), 0.9}, // exact, chosen for object 2
  };
  const auto q = proposal_quality(7, objects, proposals);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].annotation_id, 1);
  EXPECT_EQ(q[0].image_id, 7);
  EXPECT_DOUBLE_EQ(q[0].best_iou, 1.0);
  EXPECT_DOUBLE_EQ(q[0].chosen_iou, 0.5);
  EXPECT_DOUBLE_EQ(q[1].chosen_iou, 1.0);
  const QualitySummary s = summarize_quality(q);
  EXPECT_EQ(s.objects, 2);
  EXPECT_DOUBLE_EQ(s.mean_best_iou, 1.0);
  EXPECT_DOUBLE_EQ(s.mean_chosen_iou, 0.75);
  EXPECT_DOUBLE_EQ(s.chosen_recall_50, 1.0);
  EXPECT_DOUBLE_EQ(s.chosen_recall_70, 0.5);
  EXPECT_DOUBLE_EQ(s.best_recall_70, 1.0);
  EXPECT_DOUBLE_EQ(s.fallback_rate, 0.0);
}

TEST(ProposalQuality, FallbackPointPixel) {
  const std::vector<Instance> objects{object(1, box(0, 0, 4, 4), 1, 1)};
  const auto q = proposal_quality(1, objects, {});
  ASSERT_EQ(q.size(), 1u);
  EXPECT_TRUE(q[0].fallback);
  EXPECT_DOUBLE_EQ(q[0].best_iou, 0.0);
  EXPECT_DOUBLE_EQ(q[0].chosen_iou, 1.0 / 16);
}

TEST(OracleDetections, ChosenMaskScoredByObjectness) {
  const std::vector<Instance> objects{object(1, box(0, 0, 4, 4), 1, 1),
                                      object(2, box(10, 0, 4, 4), 11, 1)};
  const Proposals proposals{{box(0, 0, 4, 2), 0.8}};
  const auto d = oracle_detections(5, objects, proposals);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].image_id, 5);
  EXPECT_EQ(d[0].instance.category, 3);
  EXPECT_DOUBLE_EQ(d[0].instance.score, 0.8);
  EXPECT_EQ(d[0].instance.mask, proposals[0].mask);
  EXPECT_DOUBLE_EQ(d[0].instance.area, 8);
  EXPECT_DOUBLE_EQ(d[1].instance.score, 0.0);  // point pixel fallback
  EXPECT_EQ(d[1].instance.mask.area(), 1);
}

}  // namespace
}  // namespace wisenet
