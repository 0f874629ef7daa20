#pragma once
// wisenet.json with the networks' options as WiseNetOptions (libtorch), for `wisenet export`:
// what a deployment needs beside the two ONNX graphs (class names and ids, the input
// normalisation, the prediction options, the model options). The file's format and the
// torch-free reader the OpenCV dnn runner uses are in deploy_settings.h.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "wisenet/data/class_map.h"
#include "wisenet/deploy/deploy_settings.h"
#include "wisenet/infer/predict_options.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {

struct DeployConfig {
  int64_t opset = 11;
  WiseNetOptions model;
  ClassMap classes;
  PredictOptions prediction;
};

// The same config with the model options as JSON (options_to_json).
DeploySettings settings_of(const DeployConfig& config);

nlohmann::json deploy_config_to_json(const DeployConfig& config);
// Throws wisenet::Error naming `source` for a missing or mistyped field.
DeployConfig deploy_config_from_json(const nlohmann::json& json, const std::string& source);
// Reads DIR/wisenet.json; errors name the file.
DeployConfig read_deploy_config(const std::string& dir);

}  // namespace wisenet
