#pragma once
// COCO `segmentation` values: compressed RLE, uncompressed RLE, or a list of polygons.
#include <nlohmann/json.hpp>
#include <string>

#include "wisenet/core/rle.h"

namespace wisenet {

// Decodes a segmentation for an image of height x width. An RLE whose "size" differs from the
// image, counts that do not sum to h*w, a polygon with fewer than 3 points or with non-numeric
// coordinates: wisenet::Error naming `source` and `item`.
Rle parse_segmentation(const nlohmann::json& segmentation, int height, int width,
                       const std::string& source, const std::string& item);

// {"size": [h, w], "counts": "<compressed>"}, as pycocotools writes it.
nlohmann::json segmentation_to_json(const Rle& mask);

}  // namespace wisenet
