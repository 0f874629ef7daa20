// End-to-end: wisenet predict's per-object table and 16-bit label images.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "predict_inputs.h"
#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

fs::path make_inputs() { return test::make_predict_inputs("predict_objects", 2); }

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
