#include "wisenet/experiment/budget.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/experiment/budget_plan.h"
#include "wisenet/experiment/budget_report.h"

namespace wisenet {
namespace {

TEST(Budget, TheTalksBudgetBuys1464PointImagesOr122MaskImages) {
  const AnnotationTiming timing;  // 20 s and 239.7 s
  const std::vector<Budget> b = parse_budgets("1464", timing);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NEAR(b[0].hours, 1464 * 20 / 3600.0, 1e-12);
  const BudgetImages im = images_for_budget(b[0], timing, 100000);
  EXPECT_EQ(im.point_images, 1464);
  EXPECT_EQ(im.mask_images, 122);
  EXPECT_FALSE(im.points_capped());
}

TEST(Budget, HoursAndCountsAndCaps) {
  const AnnotationTiming timing;
  const std::vector<Budget> b = parse_budgets("0.5h, 2H,20", timing);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].text, "0.5h");
  const BudgetImages half = images_for_budget(b[0], timing, 1000);
  EXPECT_EQ(half.point_images, 90);  // 1800 / 20 exactly, not 89
  EXPECT_EQ(half.mask_images, 7);    // 1800 / 239.7 = 7.5
  const BudgetImages two = images_for_budget(b[1], timing, 200);
  EXPECT_EQ(two.point_images_bought, 360);
  EXPECT_EQ(two.point_images, 200);  // capped by the images there are
  EXPECT_TRUE(two.points_capped());
  EXPECT_EQ(two.mask_images, 30);
  EXPECT_FALSE(two.masks_capped());
  const BudgetImages twenty = images_for_budget(b[2], timing, 1000);
  EXPECT_EQ(twenty.point_images, 20);
  EXPECT_EQ(twenty.mask_images, 1);  // 400 s buy one 239.7 s mask image
  AnnotationTiming slow_points;
  slow_points.seconds_per_point_image = 60;
  EXPECT_EQ(images_for_budget({"1h", 1.0}, slow_points, 1000).point_images, 60);
}

TEST(Budget, BadBudgetsAndTimingsAreOneLineErrors) {
  const AnnotationTiming timing;
  for (const char* bad :
       {"", " ", "0h", "-1h", "1.5", "abc", "1h,,2h", "1h,1h", "h", "3x", "1e400h"}) {
    const std::string message = test::error_of([&] { parse_budgets(bad, timing); });
    EXPECT_NE(message, "(no error)") << "\"" << bad << "\"";
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  AnnotationTiming negative;
  negative.seconds_per_mask_image = -3;
  EXPECT_NE(test::error_of([&] { parse_budgets("1h", negative); }).find("seconds-per-mask-image"),
            std::string::npos);
}

TEST(Budget, ImagesBoughtAreSeededNestedAndAPermutation) {
  const std::vector<size_t> a = images_bought(50, 20, 7);
  EXPECT_EQ(a, images_bought(50, 20, 7));  // same seed, same images
  EXPECT_NE(a, images_bought(50, 20, 8));  // another seed, other images
  const std::vector<size_t> small = images_bought(50, 5, 7);
  EXPECT_TRUE(std::equal(small.begin(), small.end(), a.begin()));  // nested: a prefix
  std::vector<size_t> all = budget_image_order(50, 7);
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(all[i], i);
  EXPECT_EQ(images_bought(10, 25, 1).size(), 10u);  // capped
  // Pinned, so that a change of the draw (which would change every published table) is seen.
  EXPECT_EQ(images_bought(10, 4, 0), (std::vector<size_t>{3, 6, 2, 7}));
}

TEST(BudgetPlan, EverySeedAndSupervisionWithMaskImagesAmongPointImages) {
  AnnotationTiming timing;
  const std::vector<Budget> budgets = parse_budgets("10,40", timing);  // masks: 0 and 3
  const std::vector<PlannedRun> runs = plan_budget_runs(budgets, timing, 30, 2, 5);
  // Budget "10" buys no mask image: only its points runs. "40": points (30, capped) + full (3).
  ASSERT_EQ(runs.size(), 2u + 4u);
  EXPECT_EQ(runs[0].id, "10/seed5/points");
  EXPECT_EQ(runs[1].id, "10/seed6/points");
  EXPECT_EQ(runs[2].id, "40/seed5/points");
  EXPECT_EQ(runs[3].id, "40/seed5/full");
  EXPECT_EQ(runs[2].images.size(), 30u);
  EXPECT_EQ(runs[3].images.size(), 3u);
  EXPECT_EQ(runs[3].supervision, Supervision::kFull);
  const std::set<size_t> points(runs[0].images.begin(), runs[0].images.end());
  for (size_t i : runs[3].images) EXPECT_TRUE(points.count(i));  // masks among seed 5's points
  EXPECT_NE(runs[0].images, runs[1].images);
}

TEST(BudgetPlan, PointsRunsSeeNoMask) {
  CocoDataset d;
  d.categories = {{1, "a"}};
  d.images = {{1, "a.png", 8, 8}, {2, "b.png", 8, 8}};
  for (int64_t i = 1; i <= 2; ++i) {
    Annotation a;
    a.image_id = i;
    a.instance.id = i;
    a.instance.category = 1;
    cv::Mat m(8, 8, CV_8U, cv::Scalar(0));
    m(cv::Rect(2, 2, 3, 3)).setTo(1);
    a.instance.mask = Rle::from_mask(m);
    a.instance.point = Point{3, 3, 1};
    d.annotations.push_back(a);
  }
  const CocoDataset points = run_training_set(d, {1}, Supervision::kPoints);
  ASSERT_EQ(points.images.size(), 1u);
  EXPECT_EQ(points.images[0].id, 2);
  ASSERT_EQ(points.annotations.size(), 1u);
  EXPECT_FALSE(points.annotations[0].has_mask);
  EXPECT_EQ(points.annotations[0].instance.mask.area(), 0);
  EXPECT_TRUE(points.annotations[0].instance.point.has_value());
  const CocoDataset full = run_training_set(d, {1, 0}, Supervision::kFull);
  EXPECT_EQ(full.images.size(), 2u);
  EXPECT_TRUE(full.annotations[0].has_mask);
}

TEST(BudgetReport, SpreadIsTheSampleStandardDeviation) {
  const Spread s = spread_of({0.1, 0.2, 0.3});
  EXPECT_NEAR(s.mean, 0.2, 1e-12);
  EXPECT_NEAR(s.std, 0.1, 1e-12);
  EXPECT_EQ(spread_of({0.4}).std, 0.0);
}

}  // namespace
}  // namespace wisenet
