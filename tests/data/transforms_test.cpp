#include "wisenet/data/transforms.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace wisenet {
namespace {

Sample sample_with_one_object() {
  Sample s;
  s.image = cv::Mat(10, 16, CV_8UC3, cv::Scalar(0, 0, 0));
  s.image(cv::Rect(2, 3, 4, 2)).setTo(cv::Scalar(200, 100, 50));
  cv::Mat m(10, 16, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(2, 3, 4, 2)).setTo(1);
  Instance inst;
  inst.category = 1;
  inst.mask = Rle::from_mask(m);
  inst.point = Point{3, 4, 1};
  s.instances.push_back(inst);
  s.points.push_back({3, 4, 1});
  return s;
}

TEST(Transforms, FlipMovesPixelsPointsAndMasksTogetherAndLeavesTheSourceAlone) {
  const Sample s = sample_with_one_object();
  const cv::Mat before = s.image.clone();
  const Sample f = flip_horizontal(s);
  EXPECT_EQ(cv::norm(s.image, before, cv::NORM_INF), 0.0);  // source untouched
  EXPECT_EQ(f.points[0], (Point{12, 4, 1}));
  EXPECT_TRUE(f.instances[0].mask.contains(12, 4));
  EXPECT_EQ(f.image.at<cv::Vec3b>(4, 12), cv::Vec3b(200, 100, 50));
  EXPECT_EQ(f.instances[0].mask.area(), 8);
  const Sample back = flip_horizontal(f);
  EXPECT_EQ(cv::norm(back.image, s.image, cv::NORM_INF), 0.0);
}

TEST(Transforms, RescaleKeepsPointsOnTheirObjects) {
  const Sample s = sample_with_one_object();
  const cv::Mat before = s.image.clone();
  for (double factor : {0.5, 1.0, 1.7, 2.0}) {
    const Sample r = rescale(s, factor);
    EXPECT_EQ(r.image.cols, static_cast<int>(std::lround(16 * factor)));
    ASSERT_EQ(r.instances.size(), 1u);
    EXPECT_TRUE(r.instances[0].mask.contains(r.points[0].x, r.points[0].y)) << factor;
    EXPECT_EQ(cv::norm(s.image, before, cv::NORM_INF), 0.0);
  }
}

}  // namespace
}  // namespace wisenet
