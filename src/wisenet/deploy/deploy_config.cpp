#include "wisenet/deploy/deploy_config.h"

#include "wisenet/core/error.h"

namespace wisenet {

DeploySettings settings_of(const DeployConfig& config) {
  DeploySettings s;
  s.opset = config.opset;
  s.classes = config.classes;
  s.prediction = config.prediction;
  s.model = options_to_json(config.model);
  return s;
}

nlohmann::json deploy_config_to_json(const DeployConfig& config) {
  return deploy_settings_to_json(settings_of(config));
}

DeployConfig deploy_config_from_json(const nlohmann::json& json, const std::string& source) {
  const DeploySettings s = deploy_settings_from_json(json, source);
  DeployConfig config;
  config.opset = s.opset;
  config.classes = s.classes;
  config.prediction = s.prediction;
  try {
    config.model = options_from_json(s.model);
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, std::string("bad deployment config: ") + e.what());
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw Error(source, what);
  }
  return config;
}

DeployConfig read_deploy_config(const std::string& dir) {
  return deploy_config_from_json(read_deploy_json(dir), deploy_json_path(dir));
}

}  // namespace wisenet
