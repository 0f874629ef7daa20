// deploy_notorch_fixture OUT_DIR: with libtorch, writes what test_deploy_notorch (which has no
// libtorch) checks the ONNX prediction path against; tests/deploy/CMakeLists.txt runs it as a
// CTest fixture. It writes:
//   OUT_DIR/onnx/            the export (lnet.onnx, enet.onnx, wisenet.json) of a small random
//                            WiseNet whose L-Net finds blobs of both classes
//   OUT_DIR/image<i>.png     the test images (RGB pixels, PNG)
//   OUT_DIR/reference.json   per image: its proposals and, per run (mode, proposals or not,
//                            background seed), the instances of the libtorch predictor
//                            (predict_instances) as COCO compressed RLE
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/deploy/onnx_export.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/infer/predictor.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// As tests/infer/predictor_test.cpp: larger random L-Net score layers give a patchy argmax
// with several blobs of both classes.
WiseNet patchy_model() {
  torch::manual_seed(3);
  WiseNetOptions o;
  o.backbone = "small";
  o.num_classes = 2;
  o.embedding_dim = 8;
  WiseNet model(o);
  model->eval();
  torch::NoGradGuard no_grad;
  for (auto& p : model->named_parameters()) {
    if (p.key().rfind("lnet.head.", 0) == 0) p.value().normal_(0, 1);
  }
  return model;
}

// Noise with a few filled shapes; sizes chosen to be odd, non-square and not multiples of 32.
cv::Mat test_image(int h, int w, int seed) {
  cv::RNG rng(seed);
  cv::Mat image(h, w, CV_8UC3);
  rng.fill(image, cv::RNG::UNIFORM, 0, 255);
  for (int i = 0; i < 4; ++i) {
    const cv::Point c(rng.uniform(0, w), rng.uniform(0, h));
    const cv::Scalar colour(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
    if (i % 2 == 0) {
      cv::circle(image, c, rng.uniform(4, 12), colour, cv::FILLED);
    } else {
      cv::rectangle(image, cv::Rect(c.x, c.y, rng.uniform(5, 20), rng.uniform(5, 20)), colour,
                    cv::FILLED);
    }
  }
  return image;
}

// Quadrants (0.9), the whole image (0.7) and random rectangles, sorted by score.
Proposals test_proposals(int h, int w, int seed) {
  Proposals out;
  for (int q = 0; q < 4; ++q) {
    cv::Mat m(h, w, CV_8U, cv::Scalar(0));
    m(cv::Rect((q % 2) * w / 2, (q / 2) * h / 2, w / 2, h / 2)).setTo(1);
    out.push_back({Rle::from_mask(m), 0.9});
  }
  out.push_back({Rle::from_mask(cv::Mat(h, w, CV_8U, cv::Scalar(1))), 0.7});
  cv::RNG rng(seed);
  for (int i = 0; i < 8; ++i) {
    cv::Mat m(h, w, CV_8U, cv::Scalar(0));
    const int x = rng.uniform(0, w - 4), y = rng.uniform(0, h - 4);
    m(cv::Rect(x, y, rng.uniform(4, w - x + 1), rng.uniform(4, h - y + 1))).setTo(1);
    out.push_back({Rle::from_mask(m), rng.uniform(0.2, 0.95)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Proposal& a, const Proposal& b) { return a.score > b.score; });
  return out;
}

nlohmann::json to_json(const std::vector<Instance>& instances) {
  nlohmann::json out = nlohmann::json::array();
  for (const Instance& in : instances) {
    out.push_back({{"category", in.category},
                   {"score", in.score},
                   {"counts", in.mask.to_string()},
                   {"point", {in.point->x, in.point->y}}});
  }
  return out;
}

void write_fixture(const fs::path& out) {
  torch::set_num_threads(2);
  fs::remove_all(out);
  fs::create_directories(out);
  WiseNet model = patchy_model();
  DeployConfig config;
  config.model = model->options();
  config.classes.category_ids = {5, 9};
  config.classes.names = {"a", "b"};
  export_onnx(*model, config, (out / "onnx").string());

  struct Run {
    const char* name;
    PredictionMode mode;
    bool proposals;
    uint64_t background_seed;
  };
  const Run runs[] = {{"embedding", PredictionMode::kEmbedding, false, 0},
                      {"embedding-proposals", PredictionMode::kEmbedding, true, 11},
                      {"best-dice", PredictionMode::kBestDice, true, 0},
                      {"best-objectness", PredictionMode::kBestObjectness, true, 0}};
  const cv::Size sizes[] = {{64, 64}, {80, 48}, {45, 37}};
  nlohmann::json images = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) {
    const cv::Mat rgb = test_image(sizes[i].height, sizes[i].width, 7 + i);
    const std::string file = "image" + std::to_string(i) + ".png";
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    if (!cv::imwrite((out / file).string(), bgr)) throw Error((out / file).string(), "not written");
    const size_t blobs = localize(*model, rgb).objects.size();
    if (blobs < 2) {
      throw Error(file, "the random L-Net found " + std::to_string(blobs) +
                            " blobs; the comparison needs several");
    }
    const Proposals proposals = test_proposals(rgb.rows, rgb.cols, 20 + i);
    nlohmann::json proposal_json = nlohmann::json::array();
    for (const Proposal& p : proposals) {
      proposal_json.push_back({{"counts", p.mask.to_string()}, {"score", p.score}});
    }
    nlohmann::json run_json = nlohmann::json::array();
    for (const Run& r : runs) {
      PredictOptions options;
      options.mode = r.mode;
      options.background_seed = r.background_seed;
      const auto instances = predict_instances(*model, config.classes, rgb,
                                               r.proposals ? &proposals : nullptr, options);
      run_json.push_back({{"name", r.name},
                          {"mode", to_string(r.mode)},
                          {"proposals", r.proposals},
                          {"background_seed", r.background_seed},
                          {"instances", to_json(instances)}});
    }
    images.push_back({{"file", file},
                      {"height", rgb.rows},
                      {"width", rgb.cols},
                      {"blobs", blobs},
                      {"proposals", proposal_json},
                      {"runs", run_json}});
    std::cout << file << ": " << rgb.rows << "x" << rgb.cols << ", " << blobs << " blobs\n";
  }
  write_file_atomic((out / "reference.json").string(), nlohmann::json{{"images", images}}.dump(1));
  std::cout << "fixture written to " << out.string() << "\n";
}

}  // namespace
}  // namespace wisenet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: deploy_notorch_fixture OUT_DIR\n";
    return 2;
  }
  try {
    wisenet::write_fixture(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
