#pragma once
// The inputs of the predict command-line tests: a folder of 48 x 48 images (a bright disc on
// noise each) and a checkpoint of a small random WiseNet (one class, category id 1, "cell").
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <string>

#include "test_env.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/model/image_tensor.h"

namespace wisenet::test {

// `dir`/model.ckpt and `dir`/images/im0.png ... im<count-1>.png, in a fresh temp folder.
inline std::filesystem::path make_predict_inputs(const std::string& tag, int count) {
  const std::filesystem::path dir = temp_dir(tag);
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
  std::filesystem::create_directories(dir / "images");
  cv::RNG rng(5);
  for (int i = 0; i < count; ++i) {
    cv::Mat image(48, 48, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 80);
    cv::circle(image, {12 + 10 * i, 20}, 8, cv::Scalar(230, 200, 60), cv::FILLED);
    save_png((dir / "images" / ("im" + std::to_string(i) + ".png")).string(), image);
  }
  return dir;
}

}  // namespace wisenet::test
