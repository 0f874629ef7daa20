#pragma once
// OnnxRunner: the exported L-Net and E-Net run by OpenCV's dnn module, and
// predict_instances_onnx, the prediction pipeline on top of it. This path uses no libtorch at
// all: the networks run in OpenCV dnn and the steps after them (blobs, seeds, background seeds,
// the nearest-seed join, the three modes) are the torch-free infer code (localization.h,
// instances_cv.h). Its library, wisenet_deploy, does not link libtorch; tests/deploy checks
// that (test_deploy_notorch links it without torch, and ldd must not list libtorch or libc10).
// Usage:
//   OnnxRunner runner("export_dir");        // lnet.onnx, enet.onnx, wisenet.json
//   auto instances = predict_instances_onnx(runner, rgb, nullptr, runner.config().prediction);
//
// OpenCV 4.6 folds the graphs' Shape nodes into constants when it imports a model, so the
// dynamic H and W of the files are fixed per input size here: the runner writes the image's
// size into the graph input and imports it once per size (the last few sizes are cached).
#include <onnx/onnx_pb.h>

#include <list>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "wisenet/core/types.h"
#include "wisenet/deploy/deploy_settings.h"
#include "wisenet/infer/localization.h"
#include "wisenet/infer/predict_options.h"
#include "wisenet/proposals/proposal.h"

namespace wisenet {

// rgb8 (CV_8UC3 RGB, or CV_8UC1 grey) -> 1 x 3 x H x W CV_32F blob normalised as in
// wisenet.json (the same numbers as image_to_tensor). Throws wisenet::Error otherwise.
cv::Mat image_blob(const cv::Mat& rgb8);

class OnnxRunner {
 public:
  // Reads DIR/wisenet.json, DIR/lnet.onnx and DIR/enet.onnx; errors name the file.
  explicit OnnxRunner(const std::string& dir);

  // wisenet.json: classes, prediction options, opset (the model options as JSON).
  const DeploySettings& config() const { return config_; }
  const std::string& dir() const { return dir_; }
  // blob: N x 3 x H x W CV_32F. Returns the N x (C+1) x H x W probabilities (lnet) or the
  // N x D x H x W embeddings (enet) as a 4-D CV_32F Mat.
  cv::Mat probabilities(const cv::Mat& blob);
  cv::Mat embeddings(const cv::Mat& blob);

 private:
  struct Loaded {
    std::vector<int> shape;
    cv::dnn::Net net;
  };
  cv::Mat run(const onnx::ModelProto& model, std::list<Loaded>& cache, const cv::Mat& blob,
              const std::string& file);

  DeploySettings config_;
  std::string dir_;
  onnx::ModelProto lnet_, enet_;
  std::list<Loaded> lnet_cache_, enet_cache_;  // most recent first
};

// L-Net through OpenCV dnn, then blobs and per-blob statistics (localize_from_probabilities).
Localization localize_onnx(OnnxRunner& runner, const cv::Mat& rgb);

// predict_instances with both networks run by OpenCV dnn; classes from wisenet.json. The
// post-network steps are instances_from_localization of instances_cv.h on the embeddings as a
// D x H x W cv::Mat (no copy): the same masks and scores as the libtorch predictor on the
// same floats.
std::vector<Instance> predict_instances_onnx(OnnxRunner& runner, const cv::Mat& rgb,
                                             const Proposals* proposals = nullptr,
                                             const PredictOptions& options = {});

}  // namespace wisenet
