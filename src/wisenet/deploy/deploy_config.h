#pragma once
// wisenet.json: what a deployment needs beside the two ONNX graphs (class names and ids, the
// input normalisation, the prediction options, the model options), written by `wisenet
// export` and read back by the OpenCV dnn runner.
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "wisenet/data/class_map.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {

// The normalisation image_to_tensor applies (model/image_tensor.cpp): RGB, v / 255, then
// (v - mean) / std per channel. A test checks the two agree.
inline constexpr std::array<float, 3> kDeployMean = {0.485f, 0.456f, 0.406f};
inline constexpr std::array<float, 3> kDeployStd = {0.229f, 0.224f, 0.225f};

struct DeployConfig {
  int64_t opset = 11;
  WiseNetOptions model;
  ClassMap classes;
  PredictOptions prediction;
};

nlohmann::json deploy_config_to_json(const DeployConfig& config);
// Throws wisenet::Error naming `source` for a missing or mistyped field.
DeployConfig deploy_config_from_json(const nlohmann::json& json, const std::string& source);
// Reads DIR/wisenet.json; errors name the file.
DeployConfig read_deploy_config(const std::string& dir);

}  // namespace wisenet
