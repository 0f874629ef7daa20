// End-to-end: wisenet predict on a tiny image folder with a small random checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "predict_inputs.h"
#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/rle.h"
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

// A ground truth for the three 48 x 48 test images, ids first_id.. in order: `objects[i]`
// rectangles in image i, each with its centre as the point.
nlohmann::json rectangles_gt(int first_id, const std::vector<int>& objects) {
  nlohmann::json gt = {{"images", nlohmann::json::array()},
                       {"annotations", nlohmann::json::array()},
                       {"categories", {{{"id", 1}, {"name", "cell"}}}}};
  int id = 1;
  for (size_t i = 0; i < objects.size(); ++i) {
    gt["images"].push_back({{"id", first_id + static_cast<int>(i)},
                            {"file_name", "im" + std::to_string(i) + ".png"},
                            {"width", 48},
                            {"height", 48}});
    for (int k = 0; k < objects[i]; ++k) {
      const int x = 4 + 14 * k, y = 10;
      gt["annotations"].push_back(
          {{"id", id++},
           {"image_id", first_id + static_cast<int>(i)},
           {"category_id", 1},
           {"segmentation", {{x, y, x + 10, y, x + 10, y + 12, x, y + 12}}},
           {"point", {x + 5, y + 6}}});
    }
  }
  return gt;
}

// The line of `text` that starts with `start` (empty when none).
std::string line_starting(const std::string& text, const std::string& start) {
  const size_t at = text.find(start);
  return at == std::string::npos ? "" : text.substr(at, text.find('\n', at) - at);
}

// --gt: the COCO table of `wisenet eval` on the results (images matched by file name, so other
// ids give the same table) and the counting errors against the ground truth's objects; a bad
// ground truth fails in one line before any prediction.
TEST(PredictCli, GroundTruthPrintsTheCocoTableAndCountingErrors) {
  const fs::path dir = make_inputs();
  const std::vector<int> objects = {1, 3, 0};
  write_file_atomic((dir / "gt.json").string(), rectangles_gt(1, objects).dump());
  write_file_atomic((dir / "gt_other_ids.json").string(), rectangles_gt(7, objects).dump());
  const std::string predict = "predict --model " + (dir / "model.ckpt").string() + " --images " +
                              (dir / "images").string() + " --threads 1 --quiet";
  const auto r = test::run_cli(predict + " --out " + (dir / "out").string() + " --gt " +
                               (dir / "gt.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto eval = test::run_cli("eval --gt " + (dir / "gt.json").string() + " --pred " +
                                  (dir / "out" / "results.json").string());
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const char* const starts[] = {
      " Average Precision  (AP) @[ IoU=0.50      |", "COCO evaluation",
      " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100"};
  for (const char* start : starts) {
    const std::string line = line_starting(eval.out, start);
    ASSERT_FALSE(line.empty()) << start << "\n" << eval.out;
    EXPECT_EQ(line_starting(r.out, start), line) << r.out;
  }
  // MAE: the mean over the three images of |predicted - true| objects, from counts.csv.
  const std::string counts = read_file((dir / "out" / "counts.csv").string());
  double mae = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string row = line_starting(counts, "im" + std::to_string(i) + ".png,cell,");
    ASSERT_FALSE(row.empty()) << counts;
    mae += std::abs(std::stoi(row.substr(row.rfind(',') + 1)) - objects[i]) / 3.0;
  }
  const std::string counting = line_starting(r.out, "counting: MAE ");
  ASSERT_FALSE(counting.empty()) << r.out;
  EXPECT_NEAR(std::stod(counting.substr(14)), mae, 1e-4) << counting;
  const auto other = test::run_cli(predict + " --out " + (dir / "out2").string() + " --gt " +
                                   (dir / "gt_other_ids.json").string());
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(line_starting(other.out, " Average Precision  (AP) @[ IoU=0.50      |"),
            line_starting(r.out, " Average Precision  (AP) @[ IoU=0.50      |"));
  EXPECT_EQ(line_starting(other.out, "counting: "), counting);

  nlohmann::json two_images = rectangles_gt(1, {1, 3});
  write_file_atomic((dir / "gt_two.json").string(), two_images.dump());
  for (const auto& [file, needle] :
       std::vector<std::pair<std::string, std::string>>{{"nope.json", "nope.json"},
                                                        {"gt_two.json", "has no image im2.png"}}) {
    const auto bad = test::run_cli(predict + " --out " + (dir / "out3").string() + " --gt " +
                                   (dir / file).string());
    EXPECT_NE(bad.exit_code, 0) << file;
    EXPECT_EQ(count_lines(bad.err), 1) << bad.err;
    EXPECT_NE(bad.err.find(needle), std::string::npos) << bad.err;
    EXPECT_FALSE(fs::exists(dir / "out3" / "results.json")) << file;
  }
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

// --seeds points: the JSON's clicks are the seeds, one instance per click in click order, each
// holding its click, whatever L-Net finds.
TEST(PredictCli, PointSeedsGiveOneInstancePerClick) {
  const fs::path dir = make_inputs();
  const std::vector<std::array<int, 3>> clicks = {{1, 12, 20}, {1, 30, 30}, {2, 22, 20}};
  nlohmann::json data = {{"images", nlohmann::json::array()},
                         {"annotations", nlohmann::json::array()},
                         {"categories", {{{"id", 1}, {"name", "cell"}}}}};
  for (int i = 0; i < 2; ++i) {
    data["images"].push_back({{"id", i + 1}, {"file_name", "im" + std::to_string(i) + ".png"},
                              {"width", 48}, {"height", 48}});
  }
  for (size_t k = 0; k < clicks.size(); ++k) {
    data["annotations"].push_back({{"id", k + 1}, {"image_id", clicks[k][0]}, {"category_id", 1},
                                   {"point", {clicks[k][1], clicks[k][2]}}});
  }
  write_file_atomic((dir / "images" / "data.json").string(), data.dump());
  const auto r = test::run_cli("predict --model " + (dir / "model.ckpt").string() + " --images " +
                               (dir / "images" / "data.json").string() + " --seeds points --out " +
                               (dir / "out").string() + " --threads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = nlohmann::json::parse(read_file((dir / "out" / "results.json").string()));
  ASSERT_EQ(results.size(), clicks.size());
  for (size_t k = 0; k < clicks.size(); ++k) {
    const auto& d = results[k];
    EXPECT_EQ(d.at("image_id").get<int>(), clicks[k][0]);
    EXPECT_EQ(d.at("score").get<double>(), 1.0);
    const auto& seg = d.at("segmentation");
    const Rle mask = Rle::from_string(seg.at("size")[0].get<int>(), seg.at("size")[1].get<int>(),
                                      seg.at("counts").get<std::string>());
    EXPECT_TRUE(mask.contains(clicks[k][1], clicks[k][2])) << "click " << k;
  }
  // A folder has no clicks.
  const auto folder = test::run_cli("predict --model " + (dir / "model.ckpt").string() +
                                    " --images " + (dir / "images").string() +
                                    " --seeds points --out " + (dir / "out2").string() + " --quiet");
  EXPECT_NE(folder.exit_code, 0);
  EXPECT_EQ(count_lines(folder.err), 1) << folder.err;
  EXPECT_NE(folder.err.find("--seeds points"), std::string::npos) << folder.err;
}

TEST(PredictCli, ErrorsAreOneLine) {
  const fs::path dir = make_inputs();
  // `predict` with `model` and `extra` fails with one line naming `needle`.
  const auto expect_error = [&](const std::string& model, const std::string& extra,
                                const std::string& needle) {
    const auto r = test::run_cli("predict --model " + (dir / model).string() + " --images " +
                                 (dir / "images").string() + " --out " + (dir / "out").string() +
                                 extra + " --quiet");
    EXPECT_NE(r.exit_code, 0) << extra;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  };
  expect_error("nope.ckpt", "", "nope.ckpt");
  expect_error("model.ckpt", " --mode best-dice", "--proposals");
  expect_error("model.ckpt", " --background-seeds 0", "--background-seeds");
  expect_error("model.ckpt", " --agreement-score", "--proposals");
  expect_error("model.ckpt", " --agreement-score --mode best-dice --proposals " + dir.string(),
               "--agreement-score");
  expect_error("model.ckpt", " --spatial-weight -1", "--spatial-weight");
  expect_error("model.ckpt", " --spatial-weight nan", "--spatial-weight");
  expect_error("model.ckpt", " --min-similarity 1", "--min-similarity");
  expect_error("model.ckpt", " --min-similarity -0.1", "--min-similarity");
}

}  // namespace
}  // namespace wisenet
