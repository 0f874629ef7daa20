// End-to-end: `wisenet proposals` fills a cache from a tiny dataset, a second run reuses it,
// and `--gt --report` prints the quality figures.
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"

namespace wisenet {
namespace {

// Two 48x48 images, each with one bright square object and its point.
std::filesystem::path tiny_dataset() {
  const auto dir = test::temp_dir("proposals_cli");
  std::filesystem::create_directories(dir / "images");
  for (int i = 1; i <= 2; ++i) {
    cv::Mat image(48, 48, CV_8UC3, cv::Scalar(40, 40, 40));
    cv::rectangle(image, cv::Rect(10 * i, 12, 16, 16), cv::Scalar(220, 200, 180), cv::FILLED);
    cv::imwrite((dir / "images" / ("im" + std::to_string(i) + ".png")).string(), image);
  }
  // Polygons of the two squares (pycocotools rasterisation), with the point at the centre.
  write_file_atomic((dir / "data.json").string(), R"({
    "images": [{"id": 1, "file_name": "im1.png", "height": 48, "width": 48},
               {"id": 2, "file_name": "im2.png", "height": 48, "width": 48}],
    "categories": [{"id": 1, "name": "square"}],
    "annotations": [
      {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "point": [18, 20],
       "segmentation": [[10, 12, 26, 12, 26, 28, 10, 28]]},
      {"id": 2, "image_id": 2, "category_id": 1, "iscrowd": 0, "point": [28, 20],
       "segmentation": [[20, 12, 36, 12, 36, 28, 20, 28]]}]})");
  return dir;
}

TEST(ProposalsCli, PrecomputeThenReuseThenReport) {
  const auto dir = tiny_dataset();
  const std::string data = (dir / "data.json").string();
  const std::string cache = (dir / "cache").string();
  auto first = test::run_cli("proposals --data " + data + " --out " + cache + " --threads 2");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("2 computed"), std::string::npos) << first.out;
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache)) entries += e.is_regular_file();
  EXPECT_EQ(entries, 2u);

  auto second = test::run_cli("proposals --images " + (dir / "images").string() + " --out " +
                              cache);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("0 computed, 2 already cached"), std::string::npos) << second.out;

  auto report = test::run_cli("proposals --gt " + data + " --report --cache " + cache +
                              " --oracle-out " + (dir / "oracle.json").string());
  ASSERT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_NE(report.out.find("objects             2"), std::string::npos) << report.out;
  // A uniform square on a flat background is found exactly.
  EXPECT_NE(report.out.find("recall@0.5 best     1.0000"), std::string::npos) << report.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "oracle.json"));
}

TEST(ProposalsCli, RejectsMissingOutput) {
  const auto dir = tiny_dataset();
  auto result = test::run_cli("proposals --data " + (dir / "data.json").string());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE((result.out + result.err).find("--out"), std::string::npos);
}

}  // namespace
}  // namespace wisenet
