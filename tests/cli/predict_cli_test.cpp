// End-to-end: wisenet predict on a tiny image folder with a small random checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "predict_inputs.h"
#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

using test::count_lines;

fs::path make_inputs() { return test::make_predict_inputs("predict_cli", 3); }

TEST(PredictCli, WritesResultsCountsAndOverlays) {
  const fs::path dir = make_inputs();
  const auto r = test::run_cli("predict --model " + (dir / "model.ckpt").string() + " --images " +
                               (dir / "images").string() + " --out " + (dir / "out").string() +
                               " --overlays --threads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = nlohmann::json::parse(read_file((dir / "out" / "results.json").string()));
  ASSERT_TRUE(results.is_array());
  EXPECT_FALSE(results.empty()) << "the test checkpoint should find objects";
  for (const auto& d : results) {
    EXPECT_GE(d.at("image_id").get<int>(), 1);
    EXPECT_LE(d.at("image_id").get<int>(), 3);
    EXPECT_EQ(d.at("category_id").get<int>(), 1);
    EXPECT_EQ(d.at("segmentation").at("size"), nlohmann::json({48, 48}));
  }
  const std::string counts = read_file((dir / "out" / "counts.csv").string());
  EXPECT_EQ(counts.rfind("image,class,count\nim0.png,cell,", 0), 0u) << counts;
  EXPECT_EQ(count_lines(counts), 4);
  for (int i = 0; i < 3; ++i) {
    const fs::path overlay = dir / "out" / "overlays" / ("im" + std::to_string(i) + ".png");
    ASSERT_TRUE(fs::exists(overlay)) << overlay;
    EXPECT_EQ(load_image(overlay.string()).size(), cv::Size(48, 48));
  }
  EXPECT_NE(r.out.find("3 images"), std::string::npos) << r.out;
}

TEST(PredictCli, BestObjectnessWithAProposalCache) {
  const fs::path dir = make_inputs();
  const auto r = test::run_cli("predict --model " + (dir / "model.ckpt").string() + " --images " +
                               (dir / "images").string() + " --out " + (dir / "out").string() +
                               " --mode best-objectness --proposals " +
                               (dir / "cache").string() + " --threads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = nlohmann::json::parse(read_file((dir / "out" / "results.json").string()));
  EXPECT_FALSE(results.empty());
  for (const auto& d : results) {
    EXPECT_GT(d.at("score").get<double>(), 0.5);  // best-objectness: a kept proposal's score
  }
  EXPECT_FALSE(fs::is_empty(dir / "cache"));
}

TEST(PredictCli, ErrorsAreOneLine) {
  const fs::path dir = make_inputs();
  const auto missing = test::run_cli("predict --model " + (dir / "nope.ckpt").string() +
                                     " --images " + (dir / "images").string() + " --out " +
                                     (dir / "out").string() + " --quiet");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(count_lines(missing.err), 1) << missing.err;
  EXPECT_NE(missing.err.find("nope.ckpt"), std::string::npos) << missing.err;
  const auto no_proposals = test::run_cli("predict --model " + (dir / "model.ckpt").string() +
                                          " --images " + (dir / "images").string() + " --out " +
                                          (dir / "out").string() + " --mode best-dice --quiet");
  EXPECT_NE(no_proposals.exit_code, 0);
  EXPECT_EQ(count_lines(no_proposals.err), 1) << no_proposals.err;
  EXPECT_NE(no_proposals.err.find("--proposals"), std::string::npos) << no_proposals.err;
}

}  // namespace
}  // namespace wisenet
