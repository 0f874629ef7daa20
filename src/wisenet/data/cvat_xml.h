#pragma once
// CVAT "for images 1.1" XML: <annotations> with <meta> (the task's or project's <labels>, whose
// order gives the category ids) and one <image name width height> per image holding
//   <points label="cell" points="x1,y1;x2,y2"/>   one click per listed point
//   <polygon label="cell" points="x1,y1;x2,y2;x3,y3"/>   a mask
//   <mask label="cell" rle="r0, r1, ..." left top width height/>   a mask: CVAT's RLE, runs
//       alternating from background, row by row within the box at (left, top)
// <box>, <polyline>, <ellipse>, <cuboid>, <skeleton>, <tag> (and <track> of the video format)
// are dropped and counted by kind. Errors name the file and the image and shape.
#include <string>

#include "wisenet/data/foreign_annotations.h"

namespace wisenet {

ForeignAnnotations read_cvat(const std::string& path);
ForeignAnnotations parse_cvat(const std::string& text, const std::string& source);

}  // namespace wisenet
