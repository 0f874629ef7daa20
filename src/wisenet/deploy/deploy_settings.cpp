#include "wisenet/deploy/deploy_settings.h"

#include <filesystem>
#include <fstream>

#include "wisenet/core/error.h"

namespace wisenet {

nlohmann::json deploy_settings_to_json(const DeploySettings& settings) {
  nlohmann::json classes = nlohmann::json::array();
  for (int c = 1; c <= settings.classes.num_classes(); ++c) {
    classes.push_back({{"channel", c},
                       {"category_id", settings.classes.category_of(c)},
                       {"name", settings.classes.names[c - 1]}});
  }
  return {{"format", "wisenet-onnx"},
          {"version", 1},
          {"opset", settings.opset},
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
          {"model", settings.model},
          {"prediction",
           {{"mode", to_string(settings.prediction.mode)},
            {"proposal_threshold", settings.prediction.proposal_threshold},
            {"background_seed", settings.prediction.background_seed},
            {"similarity", to_string(settings.prediction.similarity_form)}}}};
}

DeploySettings deploy_settings_from_json(const nlohmann::json& json, const std::string& source) {
  DeploySettings settings;
  int64_t network_classes = 1;  // options_from_json's default when the field is missing
  try {
    if (json.at("format").get<std::string>() != "wisenet-onnx") {
      throw Error(source, "format is not wisenet-onnx");
    }
    settings.opset = json.at("opset").get<int64_t>();
    settings.model = json.at("model");
    if (!settings.model.is_object()) throw Error(source, "\"model\" is not an object");
    if (settings.model.contains("num_classes")) {
      network_classes = settings.model.at("num_classes").get<int64_t>();
    }
    for (const auto& c : json.at("classes")) {
      settings.classes.category_ids.push_back(c.at("category_id").get<int>());
      settings.classes.names.push_back(c.at("name").get<std::string>());
    }
    const auto& p = json.at("prediction");
    settings.prediction.mode = parse_prediction_mode(p.at("mode").get<std::string>());
    settings.prediction.proposal_threshold = p.at("proposal_threshold").get<double>();
    settings.prediction.background_seed = p.at("background_seed").get<uint64_t>();
    // Exports before the field existed were all of the default form.
    if (p.contains("similarity")) {
      settings.prediction.similarity_form =
          parse_similarity_form(p.at("similarity").get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, std::string("bad deployment config: ") + e.what());
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw Error(source, what);
  }
  if (settings.classes.num_classes() != network_classes) {
    throw Error(source, "class list does not match the network's " +
                            std::to_string(network_classes) + " classes");
  }
  return settings;
}

std::string deploy_json_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "wisenet.json").string();
}

nlohmann::json read_deploy_json(const std::string& dir) {
  const std::string path = deploy_json_path(dir);
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open (not an export folder?)");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw Error(path, "not valid JSON");
  }
}

DeploySettings read_deploy_settings(const std::string& dir) {
  return deploy_settings_from_json(read_deploy_json(dir), deploy_json_path(dir));
}

}  // namespace wisenet
