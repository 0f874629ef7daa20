// Overlays: mask pixels change colour, pixels away from every drawing keep theirs.
#include <gtest/gtest.h>

#include <set>

#include "wisenet/core/error.h"
#include "wisenet/viz/overlay.h"

namespace wisenet {
namespace {

Instance square(cv::Rect r, int category, double score) {
  cv::Mat m(64, 64, CV_8U, cv::Scalar(0));
  m(r).setTo(1);
  Instance in;
  in.mask = Rle::from_mask(m);
  in.bbox = in.mask.bbox();
  in.category = category;
  in.score = score;
  in.point = Point{r.x + r.width / 2, r.y + r.height / 2, category};
  return in;
}

TEST(Overlay, MasksChangeColourAndTheRestDoesNot) {
  const cv::Mat grey(64, 64, CV_8UC3, cv::Scalar(100, 100, 100));
  const std::vector<Instance> instances{square({4, 20, 16, 16}, 1, 0.9),
                                        square({40, 20, 16, 16}, 2, 0.5)};
  OverlayOptions o;
  o.category_names[1] = "cell";
  const cv::Mat out = draw_overlay(grey, instances, o);
  ASSERT_EQ(out.type(), CV_8UC3);
  ASSERT_EQ(out.size(), grey.size());
  EXPECT_EQ(grey.at<cv::Vec3b>(26, 8), cv::Vec3b(100, 100, 100));  // the input is not changed
  // Inside (away from the outline and the cross at the centre): blended with the colour.
  const cv::Vec3b a = out.at<cv::Vec3b>(24, 7), b = out.at<cv::Vec3b>(24, 43);
  for (int k = 0; k < 3; ++k) {
    const double want = (1 - o.alpha) * 100 + o.alpha * instance_colour(0)[k];
    EXPECT_NEAR(a[k], want, 1.0);
  }
  EXPECT_NE(a, cv::Vec3b(100, 100, 100));
  EXPECT_NE(a, b);  // distinct colours per instance
  // Outline pixels differ from the fill; far pixels are untouched.
  EXPECT_NE(out.at<cv::Vec3b>(20, 10), a);
  for (const cv::Point p : {cv::Point(30, 60), cv::Point(2, 50), cv::Point(62, 62)}) {
    EXPECT_EQ(out.at<cv::Vec3b>(p), cv::Vec3b(100, 100, 100)) << p;
  }
  // Without any decoration, exactly the mask pixels change.
  OverlayOptions plain;
  plain.outlines = plain.points = plain.labels = false;
  const cv::Mat diff = draw_overlay(grey, instances, plain) != grey;
  cv::Mat changed;
  cv::reduce(diff.reshape(1, 64 * 64), changed, 1, cv::REDUCE_MAX);
  EXPECT_EQ(cv::countNonZero(changed), 2 * 16 * 16);
}

TEST(Overlay, ColoursAreDistinct) {
  std::set<std::array<int, 3>> seen;
  for (int i = 0; i < 12; ++i) {
    const cv::Vec3b c = instance_colour(i);
    seen.insert({c[0], c[1], c[2]});
  }
  EXPECT_EQ(seen.size(), 12u);
}

TEST(Overlay, WrongMaskSizeThrows) {
  const cv::Mat grey(32, 32, CV_8UC3, cv::Scalar(0, 0, 0));
  EXPECT_THROW(draw_overlay(grey, {square({0, 0, 4, 4}, 1, 1.0)}), Error);
}

}  // namespace
}  // namespace wisenet
