// COCO evaluation against pycocotools' own numbers (reference_dir()/cocoeval/case_*/).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "test_env.h"
#include "wisenet/eval/coco_eval.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> reference_cases() {
  std::vector<fs::path> cases;
  const fs::path root = test::reference_dir() / "cocoeval";
  if (!fs::is_directory(root)) return cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && entry.path().filename().string().rfind("case_", 0) == 0) {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// pycocotools' stats are reproduced to 1e-9 (they differ from ours only by summation order).
TEST(CocoEvalReference, MatchesPycocotoolsOnEveryCase) {
  const auto cases = reference_cases();
  ASSERT_FALSE(cases.empty()) << "no reference cases under " << test::reference_dir();
  for (const auto& dir : cases) {
    const CocoDataset gt = read_coco((dir / "gt.json").string());
    const std::vector<Detection> dt = read_results((dir / "dt.json").string(), gt);
    const nlohmann::json expected = read_json(dir / "expected.json");
    const auto& order = expected.at("stats_order");
    ASSERT_EQ(order.size(), 12u);
    for (const std::string type : {"segm", "bbox"}) {
      const CocoEvalResult r = evaluate_coco(gt, dt, {parse_iou_type(type), 100});
      const auto stats = r.stats();
      for (size_t s = 0; s < 12; ++s) {
        ASSERT_EQ(order[s].get<std::string>(), coco_stat_names()[s]);
        EXPECT_NEAR(stats[s], expected.at(type)[s].get<double>(), 1e-9)
            << dir.filename() << " " << type << " " << coco_stat_names()[s];
      }
    }
  }
}

// The parallel IoU step must not change any number.
TEST(CocoEvalReference, ThreadCountDoesNotChangeResults) {
  const auto cases = reference_cases();
  ASSERT_FALSE(cases.empty());
  const CocoDataset gt = read_coco((cases.front() / "gt.json").string());
  const std::vector<Detection> dt = read_results((cases.front() / "dt.json").string(), gt);
  const int before = cv::getNumThreads();
  cv::setNumThreads(1);
  const CocoEvalResult one = evaluate_coco(gt, dt);
  cv::setNumThreads(2);
  const CocoEvalResult two = evaluate_coco(gt, dt);
  cv::setNumThreads(before);
  EXPECT_EQ(one.stats(), two.stats());
  EXPECT_EQ(one.AP25, two.AP25);
  EXPECT_EQ(one.per_category_ap50, two.per_category_ap50);
}

// Greedy matching in score order means the first 100 detections of an image match the same
// way whether 100 or 1000 are kept: AR1 and AR10 are unchanged, the last recall cannot drop.
TEST(CocoEvalReference, LargerMaxDetsKeepsSmallerCutoffs) {
  const auto cases = reference_cases();
  ASSERT_FALSE(cases.empty());
  for (const auto& dir : cases) {
    const CocoDataset gt = read_coco((dir / "gt.json").string());
    const std::vector<Detection> dt = read_results((dir / "dt.json").string(), gt);
    const CocoEvalResult base = evaluate_coco(gt, dt, {IouType::kSegm, 100});
    const CocoEvalResult dense = evaluate_coco(gt, dt, {IouType::kSegm, 1000});
    EXPECT_EQ(dense.AR1, base.AR1) << dir.filename();
    EXPECT_EQ(dense.AR10, base.AR10) << dir.filename();
    EXPECT_GE(dense.AR100, base.AR100) << dir.filename();
  }
}

}  // namespace
}  // namespace wisenet
