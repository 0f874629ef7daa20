#include "wisenet/loss/watershed.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

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

// ---------------------------------------------------------------------------------------------
// The original plain-heap flood (skimage's array heap for every item, no shortcut), kept as the
// reference for the optimized one.
namespace slow {

struct Item {
  float elevation;
  int32_t age;
  int32_t index;
};

bool smaller(const Item& a, const Item& b) {
  if (a.elevation != b.elevation) return a.elevation < b.elevation;
  return a.age < b.age;
}

class Queue {
 public:
  bool empty() const { return items_.empty(); }
  void push(const Item& item) {
    items_.push_back(item);
    size_t child = items_.size() - 1;
    while (child > 0) {
      const size_t parent = (child + 1) / 2 - 1;
      if (!smaller(items_[child], items_[parent])) break;
      std::swap(items_[child], items_[parent]);
      child = parent;
    }
  }
  Item pop() {
    const Item top = items_.front();
    items_.front() = items_.back();
    items_.pop_back();
    const size_t n = items_.size();
    size_t i = 0;
    for (;;) {
      const size_t left = 2 * i + 1, right = left + 1;
      size_t smallest = i;
      if (left < n && smaller(items_[left], items_[i])) smallest = left;
      if (right < n && smaller(items_[right], items_[smallest])) smallest = right;
      if (smallest == i) break;
      std::swap(items_[i], items_[smallest]);
      i = smallest;
    }
    return top;
  }

 private:
  std::vector<Item> items_;
};

cv::Mat labels(const cv::Mat& elevation, const cv::Mat& markers) {
  const int h = elevation.rows, w = elevation.cols;
  cv::Mat out = markers.clone();
  const float* elev = elevation.ptr<float>(0);
  int* label = out.ptr<int>(0);
  Queue queue;
  for (int i = 0; i < h * w; ++i) {
    if (label[i] > 0) queue.push({elev[i], 0, i});
  }
  int32_t age = 1;
  while (!queue.empty()) {
    const Item item = queue.pop();
    const int y = item.index / w, x = item.index % w;
    const int neighbours[4] = {y > 0 ? item.index - w : -1, x > 0 ? item.index - 1 : -1,
                               x + 1 < w ? item.index + 1 : -1, y + 1 < h ? item.index + w : -1};
    for (int n : neighbours) {
      if (n < 0 || label[n] != 0) continue;
      ++age;
      label[n] = label[item.index];
      queue.push({elev[n], age, n});
    }
  }
  return out;
}

cv::Mat split(const cv::Mat& p, const std::vector<cv::Point>& markers) {
  cv::Mat marker_image(p.size(), CV_32S, cv::Scalar(0));
  for (const cv::Point& m : markers) marker_image.at<int>(m) = 1;
  int k = 0;
  for (int y = 0; y < p.rows; ++y) {
    for (int x = 0; x < p.cols; ++x) {
      if (marker_image.at<int>(y, x)) marker_image.at<int>(y, x) = ++k;
    }
  }
  if (k < 2) return cv::Mat(p.size(), CV_8U, cv::Scalar(0));
  return label_boundaries(labels(black_top_hat(p), marker_image));
}

}  // namespace slow

// Random elevations with many exact ties: mostly 0 (the top-hat's plateaus), a few levels,
// some continuous values; optionally smooth-ish so that plateaus are large.
cv::Mat random_elevation(std::mt19937& rng, int h, int w) {
  cv::Mat e(h, w, CV_32F);
  const int style = std::uniform_int_distribution<int>(0, 3)(rng);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  const float zero_share = u(rng);
  for (int i = 0; i < h * w; ++i) {
    float v;
    if (u(rng) < zero_share) {
      v = 0.f;
    } else if (style == 0) {
      v = static_cast<float>(std::uniform_int_distribution<int>(1, 3)(rng)) * 0.25f;
    } else if (style == 1) {
      v = u(rng);
    } else if (style == 2) {
      v = u(rng) < 0.5f ? 0.5f : u(rng);
    } else {
      v = static_cast<float>(std::uniform_int_distribution<int>(0, 1)(rng));
    }
    e.ptr<float>(0)[i] = v;
  }
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
    // Large plateaus: blocky upsampling of a coarse map.
    cv::Mat coarse = e(cv::Rect(0, 0, std::max(1, w / 4), std::max(1, h / 4))).clone();
    cv::resize(coarse, e, e.size(), 0, 0, cv::INTER_NEAREST);
  }
  return e;
}

// Random markers (possibly adjacent, repeated, or on positive elevations).
std::vector<cv::Point> random_markers(std::mt19937& rng, int h, int w) {
  const int k = std::uniform_int_distribution<int>(0, 12)(rng);
  std::vector<cv::Point> out;
  for (int j = 0; j < k; ++j) {
    if (!out.empty() && std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
      // Next to (or on) a previous marker.
      cv::Point p = out[std::uniform_int_distribution<size_t>(0, out.size() - 1)(rng)];
      p.x = std::clamp(p.x + std::uniform_int_distribution<int>(-1, 1)(rng), 0, w - 1);
      p.y = std::clamp(p.y + std::uniform_int_distribution<int>(-1, 1)(rng), 0, h - 1);
      out.push_back(p);
    } else {
      out.emplace_back(std::uniform_int_distribution<int>(0, w - 1)(rng),
                       std::uniform_int_distribution<int>(0, h - 1)(rng));
    }
  }
  return out;
}

TEST(Watershed, FastFloodMatchesThePlainHeapOnRandomMaps) {
  std::mt19937 rng(12345);
  int compared = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int h = std::uniform_int_distribution<int>(1, 40)(rng);
    const int w = std::uniform_int_distribution<int>(1, 40)(rng);
    const cv::Mat e = random_elevation(rng, h, w);
    // Markers with arbitrary labels (repeated labels, walls < 0) for watershed_labels.
    cv::Mat markers(h, w, CV_32S, cv::Scalar(0));
    for (const cv::Point& p : random_markers(rng, h, w)) {
      markers.at<int>(p) = std::uniform_int_distribution<int>(-2, 6)(rng);
    }
    const cv::Mat want = slow::labels(e, markers);
    const cv::Mat got = watershed_labels(e, markers);
    ASSERT_EQ(cv::countNonZero(want != got), 0) << "trial " << trial << " (" << w << "x" << h << ")";
    ++compared;
  }
  EXPECT_EQ(compared, 3000);
}

TEST(Watershed, SplitterMatchesThePlainHeapSplitOnRandomMaps) {
  std::mt19937 rng(777);
  for (int trial = 0; trial < 1500; ++trial) {
    const int h = std::uniform_int_distribution<int>(1, 48)(rng);
    const int w = std::uniform_int_distribution<int>(1, 48)(rng);
    // A probability-like map whose top-hat has plateaus of zeros and ties: random levels,
    // sometimes blocky, sometimes smoothed.
    cv::Mat p = random_elevation(rng, h, w);
    if (std::uniform_int_distribution<int>(0, 1)(rng) == 0 && h >= 3 && w >= 3) {
      cv::blur(p, p, {3, 3});
    }
    WatershedSplitter splitter(p);
    for (int round = 0; round < 4; ++round) {
      const std::vector<cv::Point> markers = random_markers(rng, h, w);
      const cv::Mat want = slow::split(p, markers);
      ASSERT_EQ(cv::countNonZero(watershed_split(p, markers) != want), 0) << "trial " << trial;
      ASSERT_EQ(cv::countNonZero(
                    watershed_split_with_elevation(splitter.elevation(), markers) != want),
                0)
          << "trial " << trial;
      // Whole image.
      std::vector<int64_t> all;
      for (int i = 0; i < h * w; ++i) {
        if (want.ptr<uchar>(0)[i]) all.push_back(i);
      }
      ASSERT_EQ(splitter.boundary_pixels(markers), all) << "trial " << trial;
      // Restricted to a random rectangle (a blob-like region) and to a random sparse subset.
      const int x0 = std::uniform_int_distribution<int>(0, w - 1)(rng);
      const int y0 = std::uniform_int_distribution<int>(0, h - 1)(rng);
      const int x1 = std::uniform_int_distribution<int>(x0, w - 1)(rng);
      const int y1 = std::uniform_int_distribution<int>(y0, h - 1)(rng);
      std::vector<int> rect, sparse;
      for (int i = 0; i < h * w; ++i) {
        const int y = i / w, x = i % w;
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1) rect.push_back(i);
        if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) sparse.push_back(i);
      }
      for (const std::vector<int>* within : {&rect, &sparse}) {
        std::vector<int64_t> expected;
        for (int i : *within) {
          if (want.ptr<uchar>(0)[i]) expected.push_back(i);
        }
        ASSERT_EQ(splitter.boundary_pixels(markers, within), expected) << "trial " << trial;
      }
    }
  }
}

TEST(Watershed, FastFloodMatchesThePlainHeapOnLossLikeMaps) {
  // Smooth bumps (as a network's output): the top-hat is 0 except in the valleys between them.
  std::mt19937 rng(99);
  for (int trial = 0; trial < 60; ++trial) {
    const int size = std::uniform_int_distribution<int>(32, 96)(rng);
    cv::Mat p(size, size, CV_32F, cv::Scalar(0.f));
    std::vector<cv::Point> centres;
    const int bumps = std::uniform_int_distribution<int>(2, 12)(rng);
    std::uniform_real_distribution<float> where(0.f, static_cast<float>(size));
    for (int b = 0; b < bumps; ++b) {
      const float cx = where(rng), cy = where(rng), s = size / 15.f;
      for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
          p.at<float>(y, x) += std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
        }
      }
      centres.emplace_back(static_cast<int>(cx), static_cast<int>(cy));
    }
    p = cv::min(p, 1.f);
    WatershedSplitter splitter(p);
    const cv::Mat want = slow::split(p, centres);
    std::vector<int64_t> all;
    for (int i = 0; i < size * size; ++i) {
      if (want.ptr<uchar>(0)[i]) all.push_back(i);
    }
    ASSERT_EQ(splitter.boundary_pixels(centres), all) << "trial " << trial;
    // A blob: the pixels above 0.5 (not necessarily connected, which is fine here).
    std::vector<int> blob;
    std::vector<int64_t> expected;
    for (int i = 0; i < size * size; ++i) {
      if (p.ptr<float>(0)[i] > 0.5f) {
        blob.push_back(i);
        if (want.ptr<uchar>(0)[i]) expected.push_back(i);
      }
    }
    ASSERT_EQ(splitter.boundary_pixels(centres, &blob), expected) << "trial " << trial;
  }
}

TEST(Watershed, SplitterRejectsBadInput) {
  cv::Mat p(5, 5, CV_32F, cv::Scalar(0.5f));
  WatershedSplitter splitter(p);
  EXPECT_THROW(splitter.boundary_pixels({{5, 0}, {0, 0}}), Error);
  const std::vector<int> outside = {25};
  EXPECT_THROW(splitter.boundary_pixels({{1, 0}, {0, 0}}, &outside), Error);
  EXPECT_THROW(WatershedSplitter(cv::Mat(5, 5, CV_8U)), Error);
  EXPECT_THROW(watershed_split_with_elevation(p, {{0, 7}, {0, 0}}), Error);
}

}  // namespace
}  // namespace wisenet
