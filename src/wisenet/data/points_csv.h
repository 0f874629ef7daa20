#pragma once
// Point labels as CSV: a header line naming the columns `image,x,y,class` (any order, extra
// columns ignored), then one click per line. `image` is an image's file_name (or its id);
// `class` a category name or id. Values may be quoted. Errors name the file and the line.
#include <string>

#include "wisenet/data/coco_json.h"

namespace wisenet {

// Adds the CSV's points to `dataset` as points-only annotations (replacing none). The images
// and categories must already be in `dataset`; unknown ones, a point outside its image, a
// missing column or a malformed number are wisenet::Errors.
void read_points_csv(const std::string& path, CocoDataset& dataset);
void parse_points_csv(const std::string& text, const std::string& source, CocoDataset& dataset);

// Writes every annotation's point as `image,x,y,class` (file name, pixel coordinates,
// category name), atomically.
void write_points_csv(const CocoDataset& dataset, const std::string& path);

}  // namespace wisenet
