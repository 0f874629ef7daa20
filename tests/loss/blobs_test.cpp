#include "wisenet/loss/blobs.h"

#include <algorithm>
#include <queue>

#include <gtest/gtest.h>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

// C+1 maps from a per-pixel class layout: the chosen class gets `high`, the others `low`.
std::vector<cv::Mat> maps_from_layout(const std::vector<std::string>& rows, int channels) {
  const int h = static_cast<int>(rows.size()), w = static_cast<int>(rows[0].size());
  std::vector<cv::Mat> maps(channels);
  for (auto& m : maps) m = cv::Mat(h, w, CV_32F, cv::Scalar(0.1f));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) maps[rows[y][x] - '0'].at<float>(y, x) = 0.8f;
  }
  return maps;
}

TEST(Blobs, EightConnectedComponentsPerClassInRasterOrder) {
  const auto maps = maps_from_layout({"1000022", "0100020", "0010000", "0000110", "2200000"}, 3);
  const BlobMap b = find_blobs(maps, {});
  ASSERT_EQ(b.blobs.size(), 4u);
  // Class 1 first: the diagonal (0,0)-(2,2) is one blob, then the pair at row 3.
  EXPECT_EQ(b.blobs[0].category, 1);
  EXPECT_EQ(b.blobs[0].pixels, (std::vector<int>{0, 8, 16}));
  EXPECT_EQ(b.blobs[0].area, 3);
  EXPECT_EQ(b.blobs[1].category, 1);
  EXPECT_EQ(b.blobs[1].pixels, (std::vector<int>{25, 26}));
  EXPECT_EQ(b.blobs[2].category, 2);
  EXPECT_EQ(b.blobs[2].pixels, (std::vector<int>{5, 6, 12}));
  EXPECT_EQ(b.blobs[3].category, 2);
  EXPECT_EQ(b.blobs[3].area, 2);
  EXPECT_EQ(b.blob_index.at<int>(1, 1), 0);
  EXPECT_EQ(b.blob_index.at<int>(0, 1), -1);
  EXPECT_EQ(b.blob_index.at<int>(4, 1), 3);
  EXPECT_EQ(cv::countNonZero(blob_mask(b.blobs[2], maps[0].size())), 3);
}

TEST(Blobs, ArgmaxTiesGoToTheLowestChannel) {
  std::vector<cv::Mat> maps(3, cv::Mat());
  for (auto& m : maps) m = cv::Mat(1, 3, CV_32F, cv::Scalar(0.f));
  maps[0].at<float>(0, 0) = 0.5f;  // tie 0/1 -> 0
  maps[1].at<float>(0, 0) = 0.5f;
  maps[1].at<float>(0, 1) = 0.4f;  // tie 1/2 -> 1
  maps[2].at<float>(0, 1) = 0.4f;
  maps[2].at<float>(0, 2) = 0.4f;  // 2 wins
  const cv::Mat a = argmax_channel(maps);
  EXPECT_EQ(a.at<int>(0, 0), 0);
  EXPECT_EQ(a.at<int>(0, 1), 1);
  EXPECT_EQ(a.at<int>(0, 2), 2);
}

TEST(Blobs, SeedIsTheHighestPixelWithTiesToTheFirst) {
  auto maps = maps_from_layout({"0111", "0111"}, 2);
  maps[1].at<float>(0, 3) = 0.9f;
  maps[1].at<float>(1, 1) = 0.9f;  // a tie: (3, 0) comes first in row-major order
  BlobMap b = find_blobs(maps, {});
  ASSERT_EQ(b.blobs.size(), 1u);
  EXPECT_EQ(b.blobs[0].seed, cv::Point(3, 0));
  EXPECT_FLOAT_EQ(b.blobs[0].seed_score, 0.9f);
  maps[1].at<float>(1, 2) = 0.95f;
  b = find_blobs(maps, {});
  EXPECT_EQ(b.blobs[0].seed, cv::Point(2, 1));
}

TEST(Blobs, CountsOnlyPointsOfTheBlobsClass) {
  const auto maps = maps_from_layout({"1100", "1102", "0002"}, 3);
  const std::vector<Point> points = {{0, 0, 1}, {1, 1, 1}, {3, 1, 1}, {3, 2, 2}, {2, 2, 1}};
  const BlobMap b = find_blobs(maps, points);
  ASSERT_EQ(b.blobs.size(), 2u);
  EXPECT_EQ(b.blobs[0].point_indices, (std::vector<int>{0, 1}));
  EXPECT_EQ(b.blobs[0].point_count(), 2);
  // Point 2 is class 1 on a class-2 blob: not counted; point 4 lies on background.
  EXPECT_EQ(b.blobs[1].point_indices, (std::vector<int>{3}));
}

// A plain flood fill, to check the OpenCV-based version on random maps.
std::vector<std::vector<int>> slow_components(const cv::Mat& argmax, int c) {
  const int h = argmax.rows, w = argmax.cols;
  std::vector<int> seen(h * w, 0);
  std::vector<std::vector<int>> out;
  for (int i = 0; i < h * w; ++i) {
    if (seen[i] || argmax.at<int>(i / w, i % w) != c) continue;
    std::vector<int> comp;
    std::queue<int> q;
    q.push(i);
    seen[i] = 1;
    while (!q.empty()) {
      const int j = q.front();
      q.pop();
      comp.push_back(j);
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int y = j / w + dy, x = j % w + dx;
          if (y < 0 || x < 0 || y >= h || x >= w) continue;
          const int k = y * w + x;
          if (!seen[k] && argmax.at<int>(y, x) == c) {
            seen[k] = 1;
            q.push(k);
          }
        }
      }
    }
    std::sort(comp.begin(), comp.end());
    out.push_back(comp);
  }
  return out;
}

TEST(Blobs, MatchesAPlainFloodFillOnRandomMaps) {
  cv::RNG rng(11);
  std::vector<cv::Mat> maps(4);
  for (auto& m : maps) {
    m = cv::Mat(37, 41, CV_32F);
    rng.fill(m, cv::RNG::UNIFORM, 0.f, 1.f);
  }
  const BlobMap b = find_blobs(maps, {});
  size_t next = 0;
  for (int c = 1; c < 4; ++c) {
    for (const auto& comp : slow_components(b.argmax, c)) {
      ASSERT_LT(next, b.blobs.size());
      const Blob& blob = b.blobs[next++];
      EXPECT_EQ(blob.category, c);
      EXPECT_EQ(blob.pixels, comp);
      int best = comp[0];
      for (int i : comp) {
        if (maps[c].at<float>(i / 41, i % 41) > maps[c].at<float>(best / 41, best % 41)) best = i;
      }
      EXPECT_EQ(blob.seed, cv::Point(best % 41, best / 41));
    }
  }
  EXPECT_EQ(next, b.blobs.size());
  EXPECT_GT(next, 20u);  // the random maps do make many blobs
}

TEST(Blobs, RejectsBadInput) {
  const auto maps = maps_from_layout({"01", "10"}, 2);
  EXPECT_THROW(find_blobs(maps, {{2, 0, 1}}), Error);
  EXPECT_THROW(find_blobs(maps, {{0, 0, 2}}), Error);
  EXPECT_THROW(find_blobs(maps, {{0, 0, 0}}), Error);
  EXPECT_THROW(find_blobs({maps[0]}, {}), Error);
  EXPECT_THROW(find_blobs({maps[0], cv::Mat(3, 3, CV_32F)}, {}), Error);
  EXPECT_THROW(find_blobs({maps[0], cv::Mat(2, 2, CV_8U)}, {}), Error);
}

}  // namespace
}  // namespace wisenet
