#include "wisenet/data/json_fields.h"

#include <cmath>

#include "wisenet/core/error.h"

namespace wisenet::json_fields {

nlohmann::json parse(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range: 1e999
    std::string message = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; the rest is already one line.
    const auto bracket = message.find("] ");
    if (bracket != std::string::npos) message = message.substr(bracket + 2);
    throw Error(source, "malformed JSON: " + message);
  }
}

const nlohmann::json& member(const nlohmann::json& object, const char* key,
                             const std::string& source, const std::string& item) {
  if (!object.is_object()) throw Error(source, item + ": expected a JSON object");
  const auto it = object.find(key);
  if (it == object.end()) throw Error(source, item + ": missing \"" + key + "\"");
  return *it;
}

int64_t as_int(const nlohmann::json& value, const std::string& source, const std::string& item,
               const char* key) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  }
  throw Error(source, item + ": \"" + key + "\" must be an integer, got " + value.dump());
}

double as_number(const nlohmann::json& value, const std::string& source, const std::string& item,
                 const char* key) {
  if (value.is_number()) {
    const double d = value.get<double>();
    if (std::isfinite(d)) return d;
  }
  throw Error(source, item + ": \"" + key + "\" must be a number, got " + value.dump());
}

std::string as_string(const nlohmann::json& value, const std::string& source,
                      const std::string& item, const char* key) {
  if (value.is_string()) return value.get<std::string>();
  throw Error(source, item + ": \"" + key + "\" must be a string, got " + value.dump());
}

}  // namespace wisenet::json_fields
