// `wisenet eval` end to end on one pycocotools reference case.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_env.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

TEST(EvalCli, WritesPycocotoolsNumbersAsJson) {
  const fs::path dir = test::reference_dir() / "cocoeval" / "case_000";
  ASSERT_TRUE(fs::exists(dir / "gt.json")) << dir;
  const fs::path out = test::temp_dir("eval_cli") / "metrics.json";
  const auto res = test::run_cli("eval --gt " + (dir / "gt.json").string() + " --pred " +
                                 (dir / "dt.json").string() + " --iou-type bbox --threads 2" +
                                 " --json " + out.string());
  ASSERT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_NE(res.out.find("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]"),
            std::string::npos)
      << res.out;
  std::ifstream in_expected(dir / "expected.json");
  const auto expected = nlohmann::json::parse(in_expected);
  std::ifstream in_got(out);
  const auto got = nlohmann::json::parse(in_got);
  const auto& order = expected.at("stats_order");
  for (size_t s = 0; s < order.size(); ++s) {
    const std::string key = order[s].get<std::string>();
    ASSERT_TRUE(got.contains(key)) << key;
    EXPECT_NEAR(got.at(key).get<double>(), expected.at("bbox")[s].get<double>(), 1e-9) << key;
  }
  ASSERT_TRUE(got.contains("AP25"));
  EXPECT_GE(got.at("AP25").get<double>(), got.at("AP50").get<double>());
  ASSERT_TRUE(got.at("per_category").is_object());
  EXPECT_FALSE(got.at("per_category").empty());
}

// --errors puts every detection in one bin and counts the non-crowd objects; it is segm only.
TEST(EvalCli, ErrorsSortEveryDetection) {
  const fs::path dir = test::reference_dir() / "cocoeval" / "case_000";
  ASSERT_TRUE(fs::exists(dir / "gt.json")) << dir;
  const fs::path out = test::temp_dir("eval_cli_errors") / "metrics.json";
  const std::string inputs =
      "eval --gt " + (dir / "gt.json").string() + " --pred " + (dir / "dt.json").string();
  const auto res = test::run_cli(inputs + " --errors --json " + out.string());
  ASSERT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_NE(res.out.find("Errors at mask IoU 0.5: "), std::string::npos) << res.out;
  std::ifstream in_got(out);
  const auto e = nlohmann::json::parse(in_got).at("errors");
  std::ifstream in_gt(dir / "gt.json"), in_dt(dir / "dt.json");
  const auto gt = nlohmann::json::parse(in_gt);
  const auto dt = nlohmann::json::parse(in_dt);
  int64_t objects = 0;
  for (const auto& a : gt.at("annotations")) objects += a.value("iscrowd", 0) == 0 ? 1 : 0;
  EXPECT_EQ(e.at("objects").get<int64_t>(), objects);
  EXPECT_EQ(e.at("detections").get<int64_t>(), static_cast<int64_t>(dt.size()));
  int64_t binned = 0;
  for (const char* bin : {"matched", "poor_mask", "duplicate", "wrong_class", "background"}) {
    binned += e.at(bin).get<int64_t>();
  }
  EXPECT_EQ(binned, static_cast<int64_t>(dt.size()));
  EXPECT_GT(e.at("matched").get<int64_t>(), 0);
  EXPECT_LE(e.at("missed").get<int64_t>(), objects - e.at("matched").get<int64_t>());

  const auto bbox = test::run_cli(inputs + " --errors --iou-type bbox");
  EXPECT_NE(bbox.exit_code, 0);
  EXPECT_NE(bbox.err.find("--errors"), std::string::npos) << bbox.err;
}

TEST(EvalCli, MissingFileIsOneLineNamingIt) {
  const fs::path missing = test::temp_dir("eval_cli_missing") / "no_such_gt.json";
  const fs::path dt = test::reference_dir() / "cocoeval" / "case_000" / "dt.json";
  const auto res = test::run_cli("eval --gt " + missing.string() + " --pred " + dt.string());
  EXPECT_NE(res.exit_code, 0);
  const std::string all = res.out + res.err;
  EXPECT_NE(all.find(missing.string()), std::string::npos) << all;
  std::string trimmed = res.err.empty() ? res.out : res.err;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  EXPECT_EQ(trimmed.find('\n'), std::string::npos) << trimmed;
}

}  // namespace
}  // namespace wisenet
