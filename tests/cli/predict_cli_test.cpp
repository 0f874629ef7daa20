// End-to-end: wisenet predict on a tiny image folder with a small random checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

using test::count_lines;

// A folder with three 48 x 48 images and a checkpoint of a small random WiseNet (one class,
// category id 1, "cell").
fs::path make_inputs() {
  const fs::path dir = test::temp_dir("predict_cli");
  torch::set_num_threads(1);
  torch::manual_seed(1);
  WiseNetOptions o;
  o.num_classes = 1;
  o.embedding_dim = 8;
  WiseNet net(o);
  {
    // A random L-Net puts one channel ahead everywhere (no blobs): centre the class-1 logit
    // on its median over the first image, so that about half of it is class 1, in blobs.
    torch::NoGradGuard no_grad;
    net->eval();
    cv::Mat first(48, 48, CV_8UC3);
    cv::RNG(5).fill(first, cv::RNG::UNIFORM, 0, 80);
    const torch::Tensor logits = net->localize(image_to_tensor(first))[0];
    const double shift = (logits[1] - logits[0]).median().item<double>();
    net->lnet->head->score8->bias[1] -= shift;
  }
  save_checkpoint((dir / "model.ckpt").string(), *net, nullptr, 0, {"cell"},
                  R"({"category_ids":[1]})");
  fs::create_directories(dir / "images");
  cv::RNG rng(5);
  for (int i = 0; i < 3; ++i) {
    cv::Mat image(48, 48, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 80);
    cv::circle(image, {12 + 10 * i, 20}, 8, cv::Scalar(230, 200, 60), cv::FILLED);
    save_png((dir / "images" / ("im" + std::to_string(i) + ".png")).string(), image);
  }
  return dir;
}

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
