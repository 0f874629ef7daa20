#include "wisenet/deploy/deploy_config.h"

#include <filesystem>
#include <fstream>

#include "wisenet/core/error.h"

namespace wisenet {

nlohmann::json deploy_config_to_json(const DeployConfig& config) {
  nlohmann::json classes = nlohmann::json::array();
  for (int c = 1; c <= config.classes.num_classes(); ++c) {
    classes.push_back({{"channel", c},
                       {"category_id", config.classes.category_of(c)},
                       {"name", config.classes.names[c - 1]}});
  }
  return {{"format", "wisenet-onnx"},
          {"version", 1},
          {"opset", config.opset},
          {"networks",
           {{"lnet", {{"file", "lnet.onnx"}, {"input", "image"}, {"output", "probabilities"}}},
            {"enet", {{"file", "enet.onnx"}, {"input", "image"}, {"output", "embeddings"}}}}},
          {"input",
           {{"layout", "NCHW"},
            {"channels", "RGB"},
            {"scale", 1.0 / 255.0},
            {"mean", kDeployMean},
            {"std", kDeployStd},
            {"formula", "(value * scale - mean) / std"}}},
          {"classes", classes},
          {"model", options_to_json(config.model)},
          {"prediction",
           {{"mode", to_string(config.prediction.mode)},
            {"proposal_threshold", config.prediction.proposal_threshold},
            {"background_seed", config.prediction.background_seed}}}};
}

DeployConfig deploy_config_from_json(const nlohmann::json& json, const std::string& source) {
  DeployConfig config;
  try {
    if (json.at("format").get<std::string>() != "wisenet-onnx") {
      throw Error(source, "format is not wisenet-onnx");
    }
    config.opset = json.at("opset").get<int64_t>();
    config.model = options_from_json(json.at("model"));
    for (const auto& c : json.at("classes")) {
      config.classes.category_ids.push_back(c.at("category_id").get<int>());
      config.classes.names.push_back(c.at("name").get<std::string>());
    }
    const auto& p = json.at("prediction");
    config.prediction.mode = parse_prediction_mode(p.at("mode").get<std::string>());
    config.prediction.proposal_threshold = p.at("proposal_threshold").get<double>();
    config.prediction.background_seed = p.at("background_seed").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, std::string("bad deployment config: ") + e.what());
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw Error(source, what);
  }
  if (config.classes.num_classes() != config.model.num_classes) {
    throw Error(source, "class list does not match the network's " +
                            std::to_string(config.model.num_classes) + " classes");
  }
  return config;
}

DeployConfig read_deploy_config(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "wisenet.json").string();
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open (not an export folder?)");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw Error(path, "not valid JSON");
  }
  return deploy_config_from_json(json, path);
}

}  // namespace wisenet
