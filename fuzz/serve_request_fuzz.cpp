// Fuzz target: what the annotation server does with an untrusted request before any model
// call: the body parsed as JSON, the image name checked (safe_name), the mask decoded from
// the page's uncompressed RLE (mask_from_json) and its instance JSON built back. The HTTP
// routing itself (cpp-httplib lambdas in annotation_server.cpp) has no entry point that runs
// without a socket and a model, so it is not covered here. wisenet::Error and
// nlohmann::json::exception are the handlers' expected answers (turned into HTTP 400).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/serve/instance_json.h"
#include "wisenet/serve/safe_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json body = nlohmann::json::parse(text);
    if (body.contains("image") && body["image"].is_string()) {
      (void)wisenet::serve::join_checked("/images", body["image"].get<std::string>());
    }
    if (body.contains("mask")) {
      wisenet::Instance instance;
      instance.mask = wisenet::serve::mask_from_json(body["mask"], "request mask");
      instance.area = static_cast<double>(instance.mask.area());
      instance.bbox = instance.mask.bbox();
      (void)wisenet::serve::instance_to_json(instance).dump();
    }
  } catch (const wisenet::Error&) {
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
