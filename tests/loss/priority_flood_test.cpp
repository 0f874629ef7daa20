// The fast flood (rank buckets, the rank-0 list, restriction to the needed region) against a
// plain priority-flood on maps shaped like the loss's: smooth bumps whose black top-hat is 0
// over large plateaus, with exact duplicate values, and random marker sets, for the whole
// image and for blobs (`within`), large enough that the flood restricts itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "wisenet/loss/watershed.h"

namespace wisenet {
namespace {

// The plain flood (wisenet.md section 3): an array binary heap of (elevation, age) with
// skimage's sift rules; markers first with age 0 in raster order, then ages 2, 3, ...
struct Item {
  float elevation;
  int32_t age, index;
};
bool before(const Item& a, const Item& b) {
  return a.elevation != b.elevation ? a.elevation < b.elevation : a.age < b.age;
}
void push(std::vector<Item>& heap, Item item) {
  heap.push_back(item);
  for (size_t c = heap.size() - 1; c > 0;) {
    const size_t p = (c + 1) / 2 - 1;
    if (!before(heap[c], heap[p])) break;
    std::swap(heap[c], heap[p]);
    c = p;
  }
}
Item pop(std::vector<Item>& heap) {
  const Item top = heap.front();
  heap.front() = heap.back();
  heap.pop_back();
  for (size_t i = 0;;) {
    const size_t l = 2 * i + 1, r = l + 1;
    size_t s = i;
    if (l < heap.size() && before(heap[l], heap[i])) s = l;
    if (r < heap.size() && before(heap[r], heap[s])) s = r;
    if (s == i) break;
    std::swap(heap[i], heap[s]);
    i = s;
  }
  return top;
}

// Boundary pixels of the plain flood of `e` from `markers` (labels 1..K in raster order).
std::vector<uint8_t> plain_boundary(const cv::Mat& e, const std::vector<cv::Point>& markers) {
  const int h = e.rows, w = e.cols;
  std::vector<int32_t> label(static_cast<size_t>(h) * w, 0);
  for (const cv::Point& m : markers) label[m.y * w + m.x] = 1;
  std::vector<Item> heap;
  int k = 0;
  for (int i = 0; i < h * w; ++i) {
    if (label[i]) {
      label[i] = ++k;
      push(heap, {e.ptr<float>(0)[i], 0, i});
    }
  }
  std::vector<uint8_t> out(label.size(), 0);
  if (k < 2) return out;
  int32_t age = 1;
  while (!heap.empty()) {
    const int i = pop(heap).index, y = i / w, x = i % w;
    const int around[4] = {y > 0 ? i - w : -1, x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1,
                           y + 1 < h ? i + w : -1};
    for (int n : around) {
      if (n < 0 || label[n] != 0) continue;
      label[n] = label[i];
      push(heap, {e.ptr<float>(0)[n], ++age, n});
    }
  }
  for (int i = 0; i < h * w; ++i) {
    const int y = i / w, x = i % w;
    const int32_t v = label[i];
    out[i] = (x > 0 && label[i - 1] != v) || (x + 1 < w && label[i + 1] != v) ||
             (y > 0 && label[i - w] != v) || (y + 1 < h && label[i + w] != v);
  }
  return out;
}

// A probability-like map: Gaussian bumps on a flat floor, rounded to a few levels in some
// trials (exact duplicates), with a share of its bump centres returned.
cv::Mat bumps(std::mt19937& rng, int h, int w, std::vector<cv::Point>* centres) {
  cv::Mat p(h, w, CV_32F, cv::Scalar(0.05f));
  std::uniform_real_distribution<float> u(0.f, 1.f);
  const int count = std::uniform_int_distribution<int>(2, 30)(rng);
  const float sigma = std::uniform_real_distribution<float>(1.5f, 5.f)(rng);
  for (int b = 0; b < count; ++b) {
    const float cx = u(rng) * w, cy = u(rng) * h, height = 0.4f + 0.6f * u(rng);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const float d = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma);
        p.at<float>(y, x) += height * std::exp(-d);
      }
    }
    if (u(rng) < 0.8f) centres->emplace_back(static_cast<int>(cx), static_cast<int>(cy));
  }
  if (u(rng) < 0.4f) {
    const float levels = static_cast<float>(std::uniform_int_distribution<int>(8, 64)(rng));
    for (float* v = p.ptr<float>(0); v != p.ptr<float>(0) + h * w; ++v) {
      *v = std::round(*v * levels) / levels;
    }
  }
  return cv::min(p, 1.f);
}

TEST(PriorityFlood, SplitsMatchThePlainFloodOnLossLikeMaps) {
  std::mt19937 rng(2024);
  int blobs_compared = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const int h = std::uniform_int_distribution<int>(40, 140)(rng);
    const int w = std::uniform_int_distribution<int>(40, 140)(rng);
    std::vector<cv::Point> centres;
    const cv::Mat p = bumps(rng, h, w, &centres);
    WatershedSplitter splitter(p);
    const cv::Mat& e = splitter.elevation();

    // Global: all centres as markers.
    const std::vector<uint8_t> want = plain_boundary(e, centres);
    std::vector<int64_t> all;
    for (int i = 0; i < h * w; ++i) {
      if (want[i]) all.push_back(i);
    }
    ASSERT_EQ(splitter.boundary_pixels(centres), all) << "trial " << trial;

    // Local: each 8-connected blob of p > threshold with its centres (or random pixels of
    // it) as markers, restricted to the blob.
    cv::Mat mask = p > std::uniform_real_distribution<float>(0.3f, 0.7f)(rng), components;
    const int n = cv::connectedComponents(mask, components, 8, CV_32S);
    for (int c = 1; c < n; ++c) {
      std::vector<int> blob;
      for (int i = 0; i < h * w; ++i) {
        if (components.ptr<int>(0)[i] == c) blob.push_back(i);
      }
      std::vector<cv::Point> markers;
      for (const cv::Point& m : centres) {
        if (components.at<int>(m) == c) markers.push_back(m);
      }
      const int extra = std::uniform_int_distribution<int>(0, 2)(rng);
      for (int k = 0; k < extra; ++k) {
        const int i = blob[std::uniform_int_distribution<size_t>(0, blob.size() - 1)(rng)];
        markers.emplace_back(i % w, i / w);
      }
      const std::vector<uint8_t> local = plain_boundary(e, markers);
      std::vector<int64_t> expected;
      for (int i : blob) {
        if (local[i]) expected.push_back(i);
      }
      ASSERT_EQ(splitter.boundary_pixels(markers, &blob), expected)
          << "trial " << trial << " blob " << c;
      ++blobs_compared;
    }
  }
  EXPECT_GT(blobs_compared, 300);
}

// Random elevations with large plateaus of exact zeros and repeated values, random markers
// (repeated, adjacent) and random `within` sets, straight on watershed_split_with_elevation
// and the splitter.
TEST(PriorityFlood, SplitsMatchThePlainFloodOnRandomPlateaus) {
  std::mt19937 rng(31337);
  for (int trial = 0; trial < 300; ++trial) {
    const int h = std::uniform_int_distribution<int>(20, 90)(rng);
    const int w = std::uniform_int_distribution<int>(20, 90)(rng);
    const int cell = std::uniform_int_distribution<int>(1, 6)(rng);
    cv::Mat coarse(std::max(1, h / cell), std::max(1, w / cell), CV_32F);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    const float zeros = u(rng);
    const int levels = std::uniform_int_distribution<int>(1, 40)(rng);
    for (float* v = coarse.ptr<float>(0); v != coarse.ptr<float>(0) + coarse.total(); ++v) {
      *v = u(rng) < zeros ? 0.f
                          : static_cast<float>(std::uniform_int_distribution<int>(1, levels)(rng));
    }
    cv::Mat e;
    cv::resize(coarse, e, {w, h}, 0, 0, cv::INTER_NEAREST);
    // The splitter takes a probability map; flood its top-hat like the plain flood does.
    WatershedSplitter splitter(e);
    const cv::Mat& elevation = splitter.elevation();
    std::vector<cv::Point> markers;
    const int k = std::uniform_int_distribution<int>(2, 15)(rng);
    for (int j = 0; j < k; ++j) {
      markers.emplace_back(std::uniform_int_distribution<int>(0, w - 1)(rng),
                           std::uniform_int_distribution<int>(0, h - 1)(rng));
      if (u(rng) < 0.2f) markers.push_back(markers.back());
    }
    const std::vector<uint8_t> want = plain_boundary(elevation, markers);
    cv::Mat got = watershed_split_with_elevation(elevation, markers);
    ASSERT_TRUE(std::equal(want.begin(), want.end(), got.ptr<uchar>(0))) << "trial " << trial;
    std::vector<int> within;
    const int x0 = std::uniform_int_distribution<int>(0, w - 1)(rng);
    const int y0 = std::uniform_int_distribution<int>(0, h - 1)(rng);
    const int x1 = std::uniform_int_distribution<int>(x0, w - 1)(rng);
    const int y1 = std::uniform_int_distribution<int>(y0, h - 1)(rng);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) within.push_back(y * w + x);
    }
    std::vector<int64_t> expected;
    for (int i : within) {
      if (want[i]) expected.push_back(i);
    }
    ASSERT_EQ(splitter.boundary_pixels(markers, &within), expected) << "trial " << trial;
  }
}

}  // namespace
}  // namespace wisenet
