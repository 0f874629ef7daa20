#pragma once
// wisenet.json as the OpenCV dnn runner reads it, without libtorch: class names and ids, the
// input normalisation, the prediction options and the opset; the network's options stay JSON
// (deploy_config.h turns them into WiseNetOptions where libtorch is linked).
// Usage:
//   DeploySettings s = read_deploy_settings("export_dir");   // errors name the file
//   int category = s.classes.category_of(1);
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "wisenet/data/class_map.h"
#include "wisenet/infer/predict_options.h"

namespace wisenet {

// The normalisation image_to_tensor applies (model/image_tensor.cpp): RGB, v / 255, then
// (v - mean) / std per channel. A test checks the two agree.
inline constexpr std::array<float, 3> kDeployMean = {0.485f, 0.456f, 0.406f};
inline constexpr std::array<float, 3> kDeployStd = {0.229f, 0.224f, 0.225f};

struct DeploySettings {
  int64_t opset = 11;
  ClassMap classes;
  PredictOptions prediction;
  // The networks' options as export wrote them (options_to_json of WiseNetOptions).
  nlohmann::json model = nlohmann::json::object();
};

// The whole wisenet.json ("format": "wisenet-onnx", version 1).
nlohmann::json deploy_settings_to_json(const DeploySettings& settings);
// Throws wisenet::Error naming `source` for a missing or mistyped field, or a class list
// whose length is not the model's num_classes.
DeploySettings deploy_settings_from_json(const nlohmann::json& json, const std::string& source);
// DIR/wisenet.json parsed (not checked); errors name the file.
nlohmann::json read_deploy_json(const std::string& dir);
// deploy_settings_from_json of DIR/wisenet.json; errors name the file.
DeploySettings read_deploy_settings(const std::string& dir);
// DIR/wisenet.json.
std::string deploy_json_path(const std::string& dir);

}  // namespace wisenet
