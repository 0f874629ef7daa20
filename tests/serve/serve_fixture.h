#pragma once
// A tiny annotation project for the app's tests: a small random two-class WiseNet checkpoint
// (categories 1 "cell", 2 "debris") and a folder of synthetic images with bright discs, plus
// a server started on a free loopback port in a background thread.
#include <torch/torch.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "test_env.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/serve/annotation_server.h"

namespace wisenet::test {

// Disc centres of image i (radius 12) on a 128 x 128 dark noisy image.
inline std::vector<cv::Point> disc_centres(int i) { return {{40 + 8 * i, 44}, {88, 90 - 6 * i}}; }

inline cv::Mat synthetic_image(int i) {
  cv::Mat image(128, 128, CV_8UC3);
  cv::RNG(7 + i).fill(image, cv::RNG::UNIFORM, 0, 60);
  for (const auto& c : disc_centres(i)) cv::circle(image, c, 12, cv::Scalar(230, 200, 60), cv::FILLED);
  return image;
}

// Writes DIR/model.ckpt and DIR/images/im{0,1,2}.png; returns DIR.
inline std::filesystem::path make_annotation_project(const std::string& tag) {
  const std::filesystem::path dir = temp_dir(tag);
  torch::manual_seed(3);
  WiseNetOptions o;
  o.num_classes = 2;
  o.embedding_dim = 8;
  WiseNet net(o);
  {
    // A random L-Net puts one channel ahead everywhere (no blobs): centre the class-1 logit
    // on its median so that some of the image is class 1, in blobs (as tests/cli does).
    torch::NoGradGuard no_grad;
    net->eval();
    const torch::Tensor logits = net->localize(image_to_tensor(synthetic_image(0)))[0];
    const double shift = (logits[1] - torch::max(logits[0], logits[2])).median().item<double>();
    net->lnet->head->score8->bias[1] -= shift;
  }
  save_checkpoint((dir / "model.ckpt").string(), *net, nullptr, 0, {"cell", "debris"},
                  R"({"category_ids":[1,2]})");
  std::filesystem::create_directories(dir / "images");
  for (int i = 0; i < 3; ++i) {
    save_png((dir / "images" / ("im" + std::to_string(i) + ".png")).string(), synthetic_image(i));
  }
  return dir;
}

// An AnnotationServer for `dir` (annotations in DIR/annotations.json) running in a thread.
class RunningServer {
 public:
  explicit RunningServer(const std::filesystem::path& dir, size_t max_body = size_t{1} << 20) {
    serve::ServeOptions options;
    options.images_dir = (dir / "images").string();
    options.annotations_path = (dir / "annotations.json").string();
    options.web_dir = std::string(WISENET_SOURCE_DIR) + "/web";
    options.max_body_bytes = max_body;
    server_ = std::make_unique<serve::AnnotationServer>(
        load_trained_model((dir / "model.ckpt").string()), options);
    port_ = server_->bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_->run(); });
    // stop() before the server loop started would be lost: wait until it answers.
    httplib::Client client("127.0.0.1", port_);
    for (int i = 0; i < 500 && !client.Get("/api/info"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~RunningServer() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<serve::AnnotationServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace wisenet::test
