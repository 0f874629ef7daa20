// Dense scenes: wisenet eval --max-dets lifts pycocotools' 100-detection cap per image.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/coco_results.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// One 64x64 image with 150 single-pixel-square objects (2x2) and a perfect detection of each.
fs::path dense_scene() {
  const fs::path dir = test::temp_dir("dense_eval");
  CocoDataset gt;
  gt.images = {{1, "a.png", 64, 64}};
  gt.categories = {{1, "nucleus"}};
  std::vector<Detection> dt;
  for (int i = 0; i < 150; ++i) {
    cv::Mat m(64, 64, CV_8UC1, cv::Scalar(0));
    m(cv::Rect((i % 15) * 4, (i / 15) * 4, 2, 2)).setTo(1);
    Annotation a;
    a.image_id = 1;
    a.instance.id = i + 1;
    a.instance.category = 1;
    a.instance.mask = Rle::from_mask(m);
    a.instance.bbox = a.instance.mask.bbox();
    a.instance.area = 4;
    gt.annotations.push_back(a);
    Detection d{1, a.instance};
    d.instance.score = 1.0 - i * 1e-3;
    dt.push_back(d);
  }
  write_coco(gt, (dir / "gt.json").string());
  write_results(dt, (dir / "results.json").string());
  return dir;
}

double ap_with(const fs::path& dir, const std::string& extra) {
  const auto r = test::run_cli("eval --gt " + (dir / "gt.json").string() + " --pred " +
                               (dir / "results.json").string() + " --threads 1 --json " +
                               (dir / "e.json").string() + extra);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return nlohmann::json::parse(read_file((dir / "e.json").string())).at("AP").get<double>();
}

TEST(DenseEvalCli, MaxDetsKeepsEveryObjectOfACrowdedImage) {
  const fs::path dir = dense_scene();
  const double capped = ap_with(dir, "");  // default 100, as pycocotools
  const double all = ap_with(dir, " --max-dets 1000");
  EXPECT_NEAR(all, 1.0, 1e-9);
  EXPECT_LT(capped, 0.7);  // 100 of 150 found at most: recall 2/3
  EXPECT_GT(capped, 0.6);
}

}  // namespace
}  // namespace wisenet
