#include "wisenet/loss/watershed.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "lcfcn_cases.h"
#include "wisenet/core/error.h"

namespace wisenet {
namespace {

std::vector<std::pair<int, int>> boundary_set(const cv::Mat& boundary) {
  std::vector<std::pair<int, int>> out;
  for (int y = 0; y < boundary.rows; ++y) {
    for (int x = 0; x < boundary.cols; ++x) {
      if (boundary.at<uchar>(y, x)) out.emplace_back(x, y);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Watershed, GlobalSplitMatchesTheAuthorsCodeOnEveryCase) {
  const auto cases = test::load_lcfcn_cases();
  ASSERT_FALSE(cases.empty()) << "no cases under " << test::reference_dir();
  int matched = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const cv::Mat boundary = watershed_split(c.probs, c.points);
    ASSERT_EQ(boundary.type(), CV_8U);
    const auto got = boundary_set(boundary);
    EXPECT_EQ(got, c.global_split_boundary) << "case " << i << ": " << got.size() << " vs "
                                            << c.global_split_boundary.size() << " pixels";
    matched += got == c.global_split_boundary;
  }
  EXPECT_EQ(matched, static_cast<int>(cases.size()));
}

// A plain O(n) reference of closing - p with edge pixels ignored.
cv::Mat slow_black_top_hat(const cv::Mat& p) {
  cv::Mat dilated(p.size(), CV_32F), closed(p.size(), CV_32F);
  for (int pass = 0; pass < 2; ++pass) {
    const cv::Mat& src = pass == 0 ? p : dilated;
    cv::Mat& dst = pass == 0 ? dilated : closed;
    for (int y = 0; y < p.rows; ++y) {
      for (int x = 0; x < p.cols; ++x) {
        float v = src.at<float>(y, x);
        for (int dy = -3; dy <= 3; ++dy) {
          for (int dx = -3; dx <= 3; ++dx) {
            const int yy = y + dy, xx = x + dx;
            if (yy < 0 || xx < 0 || yy >= p.rows || xx >= p.cols) continue;
            const float s = src.at<float>(yy, xx);
            v = pass == 0 ? std::max(v, s) : std::min(v, s);
          }
        }
        dst.at<float>(y, x) = v;
      }
    }
  }
  return closed - p;
}

TEST(Watershed, BlackTopHatIsClosingMinusInput) {
  cv::Mat p(23, 31, CV_32F);
  cv::RNG rng(7);
  rng.fill(p, cv::RNG::UNIFORM, 0.f, 1.f);
  const cv::Mat fast = black_top_hat(p);
  const cv::Mat slow = slow_black_top_hat(p);
  EXPECT_EQ(cv::countNonZero(fast != slow), 0);
  double lo = 0;
  cv::minMaxLoc(fast, &lo);
  EXPECT_GE(lo, 0.0);
}

TEST(Watershed, TwoBumpsSplitAlongTheValley) {
  // Two bright squares joined by a dim bridge: the split must cross the bridge, between them.
  cv::Mat p(9, 21, CV_32F, cv::Scalar(0.1f));
  p(cv::Rect(2, 2, 5, 5)).setTo(0.9f);
  p(cv::Rect(14, 2, 5, 5)).setTo(0.9f);
  p(cv::Rect(7, 4, 7, 1)).setTo(0.6f);
  const cv::Mat b = watershed_split(p, {{4, 4}, {16, 4}});
  // Both columns at the label change are boundary on the bridge row, nothing inside a square.
  int on_bridge = 0;
  for (int x = 7; x < 14; ++x) on_bridge += b.at<uchar>(4, x);
  EXPECT_EQ(on_bridge, 2);
  EXPECT_EQ(cv::countNonZero(b(cv::Rect(2, 2, 5, 5))), 0);
  EXPECT_EQ(cv::countNonZero(b(cv::Rect(14, 2, 5, 5))), 0);
  // Every row is cut (the flood covers the image), with a thick (two-pixel) boundary.
  for (int y = 0; y < p.rows; ++y) EXPECT_EQ(cv::countNonZero(b.row(y)), 2) << "row " << y;
}

TEST(Watershed, FewerThanTwoMarkersGiveNoBoundary) {
  cv::Mat p(5, 5, CV_32F, cv::Scalar(0.5f));
  EXPECT_EQ(cv::countNonZero(watershed_split(p, {})), 0);
  EXPECT_EQ(cv::countNonZero(watershed_split(p, {{1, 1}})), 0);
  EXPECT_EQ(cv::countNonZero(watershed_split(p, {{1, 1}, {1, 1}})), 0);
}

TEST(Watershed, LabelsFollowMarkersAndCoverTheImage) {
  cv::Mat e(4, 6, CV_32F, cv::Scalar(0.f));
  cv::Mat markers(4, 6, CV_32S, cv::Scalar(0));
  markers.at<int>(0, 0) = 3;
  markers.at<int>(3, 5) = 8;
  const cv::Mat labels = watershed_labels(e, markers);
  EXPECT_EQ(labels.at<int>(0, 0), 3);
  EXPECT_EQ(labels.at<int>(3, 5), 8);
  EXPECT_EQ(cv::countNonZero(labels == 3) + cv::countNonZero(labels == 8), 24);
}

TEST(Watershed, LabelBoundariesAreThick) {
  cv::Mat labels(3, 4, CV_32S, cv::Scalar(1));
  labels.col(2).setTo(2);
  labels.col(3).setTo(2);
  const cv::Mat b = label_boundaries(labels);
  for (int y = 0; y < 3; ++y) {
    EXPECT_EQ(b.at<uchar>(y, 0), 0);
    EXPECT_EQ(b.at<uchar>(y, 1), 1);
    EXPECT_EQ(b.at<uchar>(y, 2), 1);
    EXPECT_EQ(b.at<uchar>(y, 3), 0);
  }
}

TEST(Watershed, RejectsBadInput) {
  cv::Mat p(5, 5, CV_32F, cv::Scalar(0.5f));
  EXPECT_THROW(watershed_split(p, {{5, 0}, {0, 0}}), Error);
  EXPECT_THROW(watershed_split(cv::Mat(5, 5, CV_8U), {}), Error);
}

}  // namespace
}  // namespace wisenet
