// Counting errors of a results file against a ground truth: per (image, category), detections
// by their point (their box centre without one), crowd regions left out; bad input is an error.
#include <gtest/gtest.h>

#include <cmath>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/eval/detection_counts.h"

namespace wisenet {
namespace {

Annotation object(int64_t image, int category, int x, int y, bool crowd = false) {
  Annotation a;
  a.image_id = image;
  a.has_mask = false;
  a.instance.category = category;
  a.instance.iscrowd = crowd;
  a.instance.point = Point{x, y, category};
  return a;
}

Detection detection(int64_t image, int category, int x, int y) {
  Detection d;
  d.image_id = image;
  d.instance.category = category;
  d.instance.point = Point{x, y, category};
  return d;
}

// Two 16 x 16 images, categories 1 and 2. Image 10: two objects of 1 (left half), one of 2;
// detections: one of 1 in the right half, none of 2. Image 20: one object of 2 and a crowd
// region of 1; detections: one of 1 (box centre in the left half), one of 2.
// Per (image, category) |predicted - true|: (10,1) 1, (10,2) 1, (20,1) 1, (20,2) 0: MAE 0.75.
// GAME(1), quadrants: (10,1) top-left 2 vs 0 and top-right 0 vs 1 -> 3; (10,2) 1; (20,1) 1;
// (20,2) 0: 5 / 4.
TEST(DetectionCounts, CountsByImageAndCategoryAndLocatesByPoint) {
  CocoDataset gt;
  gt.images = {{10, "a.png", 16, 16}, {20, "b.png", 16, 16}};
  gt.categories = {{1, "disc"}, {2, "square"}};
  gt.annotations = {object(10, 1, 2, 2), object(10, 1, 5, 3), object(10, 2, 12, 12),
                    object(20, 2, 3, 12), object(20, 1, 8, 8, /*crowd=*/true)};
  Detection boxed;
  boxed.image_id = 20;
  boxed.instance.category = 1;
  boxed.instance.bbox = {1, 1, 4, 4};  // no point: the centre (3, 3)
  const std::vector<Detection> dt = {detection(10, 1, 12, 2), boxed, detection(20, 2, 3, 13)};
  const CountErrors e = detection_count_errors(gt, dt);
  EXPECT_EQ(e.images, 4);
  EXPECT_DOUBLE_EQ(e.mae, 0.75);
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(3.0 / 4));
  EXPECT_DOUBLE_EQ(e.mean_count, 4.0 / 4);
  ASSERT_GE(e.game.size(), 2u);
  EXPECT_DOUBLE_EQ(e.game[0], 0.75);
  EXPECT_DOUBLE_EQ(e.game[1], 5.0 / 4);
}

TEST(DetectionCounts, BadInputNamesTheGroundTruth) {
  CocoDataset gt;
  gt.source = "gt.json";
  gt.images = {{1, "a.png", 8, 8}};
  gt.categories = {{1, "disc"}};
  gt.annotations = {object(1, 1, 2, 2)};
  const std::string unknown =
      test::error_of([&] { detection_count_errors(gt, {detection(1, 5, 1, 1)}); });
  EXPECT_NE(unknown.find("gt.json"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("category 5"), std::string::npos) << unknown;
  EXPECT_THROW(detection_count_errors(gt, {detection(9, 1, 1, 1)}), Error);  // no image 9
  gt.annotations[0].instance.point.reset();
  const std::string pointless = test::error_of([&] { detection_count_errors(gt, {}); });
  EXPECT_NE(pointless.find("no point"), std::string::npos) << pointless;
}

}  // namespace
}  // namespace wisenet
