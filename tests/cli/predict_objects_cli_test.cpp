// End-to-end: wisenet predict's per-object table and 16-bit label images.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// Two 48 x 48 images and a small random WiseNet whose class-1 logit is centred so that it
// finds blobs (as in predict_cli_test).
fs::path make_inputs() {
  const fs::path dir = test::temp_dir("predict_objects");
  torch::set_num_threads(1);
  torch::manual_seed(1);
  WiseNetOptions o;
  o.num_classes = 1;
  o.embedding_dim = 8;
  WiseNet net(o);
  {
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
  for (int i = 0; i < 2; ++i) {
    cv::Mat image(48, 48, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 80);
    cv::circle(image, {12 + 10 * i, 20}, 8, cv::Scalar(230, 200, 60), cv::FILLED);
    save_png((dir / "images" / ("im" + std::to_string(i) + ".png")).string(), image);
  }
  return dir;
}

TEST(PredictObjectsCli, ObjectsCsvAndLabelImagesAgreeWithResults) {
  const fs::path dir = make_inputs();
  const auto r = test::run_cli("predict --model " + (dir / "model.ckpt").string() + " --images " +
                               (dir / "images").string() + " --out " + (dir / "out").string() +
                               " --label-images --threads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = nlohmann::json::parse(read_file((dir / "out" / "results.json").string()));
  ASSERT_FALSE(results.empty()) << "the test checkpoint should find objects";
  std::istringstream table(read_file((dir / "out" / "objects.csv").string()));
  std::string line;
  std::getline(table, line);
  EXPECT_EQ(line,
            "image,object_id,class,score,seed_x,seed_y,centroid_x,centroid_y,area,bbox_x,bbox_y,"
            "bbox_w,bbox_h");
  std::map<std::string, int> objects_per_image;
  size_t rows = 0;
  while (std::getline(table, line)) {
    ++rows;
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string s; std::getline(fields, s, ',');) f.push_back(s);
    ASSERT_EQ(f.size(), 13u) << line;
    EXPECT_EQ(std::stoi(f[1]), ++objects_per_image[f[0]]) << "ids run 1, 2, ... per image";
    EXPECT_EQ(f[2], "cell");
    // Embedding masks are disjoint: the label image holds each object's whole area.
    const cv::Mat labels =
        cv::imread((dir / "out" / "labels" / (fs::path(f[0]).stem().string() + ".png")).string(),
                   cv::IMREAD_UNCHANGED);
    ASSERT_EQ(labels.type(), CV_16UC1);
    EXPECT_EQ(cv::countNonZero(labels == std::stoi(f[1])), std::stoi(f[8])) << line;
    const int sx = std::stoi(f[4]), sy = std::stoi(f[5]);
    EXPECT_EQ(labels.at<uint16_t>(sy, sx), std::stoi(f[1])) << "the seed lies in its object";
  }
  EXPECT_EQ(rows, results.size());
}

}  // namespace
}  // namespace wisenet
