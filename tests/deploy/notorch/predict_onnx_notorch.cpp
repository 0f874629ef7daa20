// `predict --onnx` with no libtorch in the program (issue #10): this test links only
// wisenet_deploy, OpenCV, nlohmann_json and GTest. On the export folder, images and proposals
// that deploy_notorch_fixture wrote with libtorch, predict_instances_onnx must give the libtorch
// predictor's instances: the same count, categories, seed points and masks, scores within 1e-4
// (the networks differ by about 1e-6 between OpenCV dnn and libtorch). Run it through CTest,
// which runs the fixture first: ctest -R notorch (or set WISENET_NOTORCH_DIR).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/deploy/onnx_runner.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

fs::path fixture_dir() {
  const char* env = std::getenv("WISENET_NOTORCH_DIR");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path(WISENET_NOTORCH_DIR);
}

class OnnxNoTorch : public ::testing::Test {
 protected:
  void SetUp() override {
    cv::setNumThreads(2);
    const fs::path reference = fixture_dir() / "reference.json";
    ASSERT_TRUE(fs::exists(reference))
        << reference << " is missing: run through ctest (fixture deploy_notorch_fixture)";
    std::ifstream in(reference);
    json = nlohmann::json::parse(in);
  }
  nlohmann::json json;
};

cv::Mat read_rgb(const fs::path& path) {
  const cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) throw Error(path.string(), "cannot read");
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

TEST_F(OnnxNoTorch, PredictMatchesTheLibtorchPredictor) {
  OnnxRunner runner((fixture_dir() / "onnx").string());
  size_t compared = 0;
  for (const auto& image : json.at("images")) {
    const std::string file = image.at("file").get<std::string>();
    const cv::Mat rgb = read_rgb(fixture_dir() / file);
    const int h = image.at("height").get<int>(), w = image.at("width").get<int>();
    ASSERT_EQ(rgb.size(), cv::Size(w, h)) << file;
    Proposals proposals;
    for (const auto& p : image.at("proposals")) {
      proposals.push_back(
          {Rle::from_string(h, w, p.at("counts").get<std::string>()), p.at("score").get<double>()});
    }
    for (const auto& run : image.at("runs")) {
      const std::string name = run.at("name").get<std::string>();
      SCOPED_TRACE(file + " " + name);
      PredictOptions options;
      options.mode = parse_prediction_mode(run.at("mode").get<std::string>());
      options.background_seed = run.at("background_seed").get<uint64_t>();
      const bool with_proposals = run.at("proposals").get<bool>();
      const std::vector<Instance> got =
          predict_instances_onnx(runner, rgb, with_proposals ? &proposals : nullptr, options);
      const auto& expected = run.at("instances");
      ASSERT_EQ(got.size(), expected.size());
      for (size_t k = 0; k < got.size(); ++k) {
        SCOPED_TRACE(k);
        const auto& e = expected[k];
        EXPECT_EQ(got[k].category, e.at("category").get<int>());
        EXPECT_NEAR(got[k].score, e.at("score").get<double>(), 1e-4);
        ASSERT_TRUE(got[k].point.has_value());
        EXPECT_EQ(got[k].point->x, e.at("point")[0].get<int>());
        EXPECT_EQ(got[k].point->y, e.at("point")[1].get<int>());
        EXPECT_EQ(got[k].mask.to_string(), e.at("counts").get<std::string>());
        EXPECT_EQ(got[k].bbox, got[k].mask.bbox());
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 20u) << "the fixture should give several instances per image and run";
}

TEST_F(OnnxNoTorch, ReadsTheExportConfig) {
  OnnxRunner runner((fixture_dir() / "onnx").string());
  EXPECT_EQ(runner.config().classes.category_ids, (std::vector<int>{5, 9}));
  EXPECT_EQ(runner.config().classes.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(runner.config().opset, 11);
  EXPECT_EQ(runner.config().model.at("embedding_dim").get<int>(), 8);
  EXPECT_EQ(runner.config().prediction.mode, PredictionMode::kEmbedding);
}

TEST(OnnxNoTorchErrors, BadFolderAndBadImageAreOneLine) {
  const fs::path missing = fs::temp_directory_path() / "wisenet_notorch_missing_export";
  fs::remove_all(missing);
  try {
    OnnxRunner runner(missing.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("wisenet.json"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_THROW(image_blob(cv::Mat(4, 4, CV_32FC3)), Error);
}

}  // namespace
}  // namespace wisenet
