#pragma once
// LabelMe annotations (one JSON file per image, as LabelMe saves them): `imagePath`,
// `imageWidth`, `imageHeight` and `shapes`, each with `label` (the class), `points`
// ([[x, y], ...]), `shape_type` and `group_id`.
//
// shape_type "point" becomes a click, "polygon" (also a shape without shape_type, as old
// LabelMe wrote) a mask; a point and a polygon with the same label and group_id are one object
// (a mask with its click). Every other shape type (rectangle, circle, line, linestrip, mask)
// is dropped and counted by kind. Images keep `imagePath` as their file name.
#include <string>

#include "wisenet/data/foreign_annotations.h"

namespace wisenet {

// `path`: one LabelMe .json file, or a folder whose .json files (sorted by name) are read.
// Errors name the file and the shape ("a.json: shape 3: ...").
ForeignAnnotations read_labelme(const std::string& path);

}  // namespace wisenet
