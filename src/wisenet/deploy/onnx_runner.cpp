#include "wisenet/deploy/onnx_runner.h"

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/infer/instances_cv.h"

namespace wisenet {

namespace {

constexpr size_t kCachedSizes = 4;

onnx::ModelProto read_model(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(path, "missing (not an export folder?)");
  onnx::ModelProto model;
  if (!model.ParseFromString(read_file(path))) throw Error(path, "not an ONNX model");
  if (model.graph().input_size() != 1 || model.graph().output_size() != 1) {
    throw Error(path, "expected one input and one output");
  }
  return model;
}

}  // namespace

cv::Mat image_blob(const cv::Mat& rgb8) {
  if (rgb8.empty()) throw Error("image_blob: empty image");
  cv::Mat rgb;
  if (rgb8.type() == CV_8UC3) {
    rgb = rgb8;
  } else if (rgb8.type() == CV_8UC1) {
    cv::cvtColor(rgb8, rgb, cv::COLOR_GRAY2RGB);
  } else {
    throw Error("image_blob: expected an 8-bit RGB or grey image, got OpenCV type " +
                std::to_string(rgb8.type()));
  }
  const int h = rgb.rows, w = rgb.cols;
  cv::Mat blob(std::vector<int>{1, 3, h, w}, CV_32F);
  float* out = blob.ptr<float>();
  for (int c = 0; c < 3; ++c) {
    float* plane = out + static_cast<size_t>(c) * h * w;
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = rgb.ptr<uint8_t>(y);
      for (int x = 0; x < w; ++x) {
        // Same operation order as image_to_tensor: v / 255, minus mean, divided by std.
        plane[y * w + x] =
            (static_cast<float>(row[3 * x + c]) / 255.0f - kDeployMean[c]) / kDeployStd[c];
      }
    }
  }
  return blob;
}

OnnxRunner::OnnxRunner(const std::string& dir) : config_(read_deploy_settings(dir)), dir_(dir) {
  lnet_ = read_model((std::filesystem::path(dir) / "lnet.onnx").string());
  enet_ = read_model((std::filesystem::path(dir) / "enet.onnx").string());
}

cv::Mat OnnxRunner::run(const onnx::ModelProto& model, std::list<Loaded>& cache,
                        const cv::Mat& blob, const std::string& file) {
  if (blob.dims != 4 || blob.size[1] != 3 || blob.type() != CV_32F) {
    throw Error(file, "expected an N x 3 x H x W float input");
  }
  const std::vector<int> shape = {blob.size[0], blob.size[1], blob.size[2], blob.size[3]};
  auto hit = cache.begin();
  while (hit != cache.end() && hit->shape != shape) ++hit;
  if (hit == cache.end()) {
    onnx::ModelProto fixed = model;
    auto* dims = fixed.mutable_graph()
                     ->mutable_input(0)
                     ->mutable_type()
                     ->mutable_tensor_type()
                     ->mutable_shape();
    for (int i = 0; i < 4; ++i) dims->mutable_dim(i)->set_dim_value(shape[i]);
    std::string bytes;
    fixed.SerializeToString(&bytes);
    Loaded loaded{shape, {}};
    try {
      loaded.net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    } catch (const cv::Exception& e) {
      throw Error(file, std::string("OpenCV dnn cannot load it: ") + e.err);
    }
    cache.push_front(std::move(loaded));
    if (cache.size() > kCachedSizes) cache.pop_back();
  } else if (hit != cache.begin()) {
    cache.splice(cache.begin(), cache, hit);
  }
  cv::dnn::Net& net = cache.front().net;
  net.setInput(blob);
  return net.forward().clone();
}

cv::Mat OnnxRunner::probabilities(const cv::Mat& blob) {
  return run(lnet_, lnet_cache_, blob, (std::filesystem::path(dir_) / "lnet.onnx").string());
}

cv::Mat OnnxRunner::embeddings(const cv::Mat& blob) {
  return run(enet_, enet_cache_, blob, (std::filesystem::path(dir_) / "enet.onnx").string());
}

Localization localize_onnx(OnnxRunner& runner, const cv::Mat& rgb) {
  const cv::Mat p = runner.probabilities(image_blob(rgb));
  if (p.dims != 4 || p.size[0] != 1) {
    throw Error((std::filesystem::path(runner.dir()) / "lnet.onnx").string(),
                "expected 1 x (C+1) x H x W probabilities");
  }
  const int channels = p.size[1], h = p.size[2], w = p.size[3];
  std::vector<cv::Mat> maps;
  for (int c = 0; c < channels; ++c) {
    maps.push_back(
        cv::Mat(h, w, CV_32F, const_cast<float*>(p.ptr<float>()) + static_cast<size_t>(c) * h * w)
            .clone());
  }
  return localize_from_probabilities(std::move(maps));
}

std::vector<Instance> predict_instances_onnx(OnnxRunner& runner, const cv::Mat& rgb,
                                             const Proposals* proposals,
                                             const PredictOptions& options) {
  const Localization located = localize_onnx(runner, rgb);
  if (located.objects.empty()) return {};
  const cv::Mat e = runner.embeddings(image_blob(rgb));
  if (e.dims != 4 || e.size[0] != 1) {
    throw Error((std::filesystem::path(runner.dir()) / "enet.onnx").string(),
                "expected 1 x D x H x W embeddings");
  }
  // The blob's memory seen as D x H x W (no copy); the post-network steps are torch-free.
  const cv::Mat embeddings(3, e.size.p + 1, CV_32F, const_cast<float*>(e.ptr<float>()));
  return instances_from_localization(located, embeddings, runner.config().classes, proposals,
                                     options);
}

}  // namespace wisenet
