#include "wisenet/core/rle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "test_env.h"
#include "wisenet/core/error.h"

namespace wisenet {
namespace {

cv::Mat random_mask(std::mt19937& rng, int h, int w) {
  cv::Mat m(h, w, CV_8UC1, cv::Scalar(0));
  const int shapes = static_cast<int>(rng() % 4);
  for (int i = 0; i < shapes && h > 0 && w > 0; ++i) {
    const cv::Point c(static_cast<int>(rng() % w), static_cast<int>(rng() % h));
    const cv::Size axes(1 + static_cast<int>(rng() % (w / 2 + 1)),
                        1 + static_cast<int>(rng() % (h / 2 + 1)));
    cv::ellipse(m, c, axes, static_cast<double>(rng() % 180), 0, 360, cv::Scalar(1), -1);
  }
  // Sprinkle isolated pixels so runs of length 1 and masks touching the borders occur.
  for (int i = 0; i < static_cast<int>(rng() % 20) && h > 0 && w > 0; ++i) {
    m.at<uint8_t>(static_cast<int>(rng() % h), static_cast<int>(rng() % w)) ^= 1;
  }
  return m;
}

std::array<double, 4> naive_bbox(const cv::Mat& m) {
  std::vector<cv::Point> pts;
  cv::findNonZero(m, pts);
  if (pts.empty()) return {0, 0, 0, 0};
  const cv::Rect r = cv::boundingRect(pts);
  return {double(r.x), double(r.y), double(r.width), double(r.height)};
}

TEST(Rle, FuzzRoundTripsThroughMaskAndString) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int h = 1 + static_cast<int>(rng() % 70), w = 1 + static_cast<int>(rng() % 70);
    const cv::Mat m = random_mask(rng, h, w);
    const Rle r = Rle::from_mask(m);
    ASSERT_EQ(cv::countNonZero(r.to_mask() != m), 0) << "trial " << trial;
    EXPECT_EQ(r.area(), cv::countNonZero(m));
    const Rle back = Rle::from_string(h, w, r.to_string());
    EXPECT_EQ(back, r) << "trial " << trial << " string " << r.to_string();
    int64_t sum = 0;
    for (auto c : r.counts()) sum += c;
    EXPECT_EQ(sum, int64_t(h) * w);
  }
}

TEST(Rle, IntersectionAndIouMatchPixelCounts) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const int h = 1 + static_cast<int>(rng() % 50), w = 1 + static_cast<int>(rng() % 50);
    const cv::Mat a = random_mask(rng, h, w), b = random_mask(rng, h, w);
    const int64_t inter = cv::countNonZero(a & b);
    const int64_t uni = cv::countNonZero(a | b);
    const Rle ra = Rle::from_mask(a), rb = Rle::from_mask(b);
    EXPECT_EQ(ra.intersection(rb), inter);
    EXPECT_DOUBLE_EQ(mask_iou(ra, rb, false), uni == 0 ? 0.0 : double(inter) / double(uni));
    const int64_t da = cv::countNonZero(a);
    EXPECT_DOUBLE_EQ(mask_iou(ra, rb, true), da == 0 ? 0.0 : double(inter) / double(da));
    const Rle merged = Rle::merge({ra, rb});
    EXPECT_EQ(merged, Rle::from_mask(a | b));
  }
}

TEST(Rle, BboxIsTightWhenNoRunCrossesAColumn) {
  cv::Mat m(10, 12, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(3, 2, 4, 5)).setTo(1);
  const auto box = Rle::from_mask(m).bbox();
  EXPECT_EQ(box, naive_bbox(m));
  EXPECT_EQ(Rle(5, 5).bbox(), (std::array<double, 4>{0, 0, 0, 0}));
}

TEST(Rle, BboxSpansFullHeightWhenARunCrossesColumnsLikePycocotools) {
  // Pixels (x=0, y=9) and (x=1, y=0) form one column-major run crossing a column boundary;
  // pycocotools' toBbox then reports the whole height.
  cv::Mat m(10, 3, CV_8UC1, cv::Scalar(0));
  m.at<uint8_t>(9, 0) = 1;
  m.at<uint8_t>(0, 1) = 1;
  EXPECT_EQ(Rle::from_mask(m).bbox(), (std::array<double, 4>{0, 0, 2, 10}));
}

TEST(Rle, ContainsAgreesWithMask) {
  std::mt19937 rng(3);
  const cv::Mat m = random_mask(rng, 31, 17);
  const Rle r = Rle::from_mask(m);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) EXPECT_EQ(r.contains(x, y), m.at<uint8_t>(y, x) != 0);
  EXPECT_FALSE(r.contains(-1, 0));
  EXPECT_FALSE(r.contains(0, 31));
}

TEST(Rle, RejectsBadCounts) {
  EXPECT_THROW(Rle::from_counts(2, 2, {1, 2}), Error);
  EXPECT_THROW(Rle::from_counts(2, 2, {1, -1, 4}), Error);
  EXPECT_THROW(Rle::from_string(2, 2, "~~~"), Error);
  EXPECT_THROW(Rle::from_string(2, 2, "\x7f"), Error);
  EXPECT_THROW(Rle::from_string(3, 3, "12"), Error);  // sums to 3, not 9
  EXPECT_THROW(Rle::from_string(2, 2, "o"), Error);   // ends inside a count
  try {
    Rle::from_counts(4, 4, {3, 3}, "gt.json: annotation 5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gt.json: annotation 5"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("16"), std::string::npos);
  }
}

TEST(Rle, PolygonRasterisationCoversTheSquareInterior) {
  // Square with corners (2,2) and (8,8): pycocotools' rasteriser takes the pixels whose
  // centres fall inside, which for this square is the 6x6 block x, y in [2, 8).
  const Rle r = Rle::from_polygon(12, 12, {2, 2, 8, 2, 8, 8, 2, 8});
  cv::Mat expected(12, 12, CV_8UC1, cv::Scalar(0));
  expected(cv::Rect(2, 2, 6, 6)).setTo(1);
  EXPECT_EQ(cv::countNonZero(r.to_mask() != expected), 0);
  // A triangle's area is close to its geometric area (within its perimeter).
  const Rle t = Rle::from_polygon(40, 40, {5, 5, 35, 5, 5, 35});
  EXPECT_NEAR(double(t.area()), 450.0, 60.0);
}

// Every compressed RLE string in the reference ground truth (written by pycocotools) decodes
// and re-encodes to the same bytes.
TEST(Rle, ReencodesPycocotoolsStringsByteForByte) {
  const auto dir = test::reference_dir() / "cocoeval";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no reference folder at " << dir;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    for (const char* file : {"gt.json", "dt.json"}) {
      std::ifstream in(entry.path() / file);
      const auto j = nlohmann::json::parse(in);
      const auto& anns = j.is_array() ? j : j["annotations"];
      for (const auto& a : anns) {
        const auto& seg = a["segmentation"];
        if (!seg.is_object() || !seg["counts"].is_string()) continue;
        const std::string s = seg["counts"];
        const Rle r = Rle::from_string(seg["size"][0], seg["size"][1], s);
        ASSERT_EQ(r.to_string(), s);
        ASSERT_EQ(Rle::from_mask(r.to_mask()), r);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace wisenet
