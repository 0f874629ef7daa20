#pragma once
// Instances as the web page sees them. Masks travel as uncompressed COCO RLE
// ({"size": [h, w], "counts": [runs...]}, column-major, starting with a zero run), which the
// page decodes and encodes in a few lines of JavaScript.
#include <nlohmann/json.hpp>

#include "wisenet/core/types.h"

namespace wisenet::serve {

// {"id", "category", "score", "point": [x, y] | null, "bbox", "area", "mask"}.
nlohmann::json instance_to_json(const Instance& instance);

// An uncompressed-RLE mask from the page; `where` names the request item in errors
// (wisenet::Error for a missing field, a wrong type or counts that do not sum to h*w).
Rle mask_from_json(const nlohmann::json& mask, const std::string& where);

}  // namespace wisenet::serve
