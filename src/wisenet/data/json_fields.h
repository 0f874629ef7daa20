#pragma once
// Typed access to JSON fields with errors that name the file and the item: the one place
// where the readers of COCO files, results and CSV-adjacent JSON check shapes.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace wisenet::json_fields {

// Parses text; malformed JSON is a wisenet::Error "<source>: malformed JSON: ...".
nlohmann::json parse(const std::string& text, const std::string& source);

// The member `key` of `object`; throws naming `source` and `item` when it is missing.
const nlohmann::json& member(const nlohmann::json& object, const char* key,
                             const std::string& source, const std::string& item);
// Integer-valued field (a JSON integer, or a float with no fraction).
int64_t as_int(const nlohmann::json& value, const std::string& source, const std::string& item,
               const char* key);
double as_number(const nlohmann::json& value, const std::string& source, const std::string& item,
                 const char* key);
std::string as_string(const nlohmann::json& value, const std::string& source,
                      const std::string& item, const char* key);

}  // namespace wisenet::json_fields
