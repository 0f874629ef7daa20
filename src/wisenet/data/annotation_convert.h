#pragma once
// `wisenet convert`: annotations from one tool's format to another's, every left-out item
// counted. Formats in: labelme, via, via-csv, cvat, csv (points CSV), coco; out: coco, csv.
//
// Lossless where the formats allow: COCO keeps every point, mask and category; the points CSV
// keeps points only, so writing it drops the masks (their points stay) and the annotations
// without a point, and counts both. Coordinates become whole pixels (floored), the data model's
// unit. With point_rule = kCenter a mask without a point gets the pixel deepest inside it
// before writing.
#include <map>
#include <string>

#include "wisenet/data/coco_json.h"
#include "wisenet/data/foreign_annotations.h"

namespace wisenet {

struct ConvertOptions {
  std::string from;             // labelme | via | via-csv | cvat | csv | coco
  std::string to;               // coco | csv
  std::string class_attribute;  // VIA: the region attribute holding the class
  std::string image_dir;        // VIA and csv: where the images are (their sizes are needed)
  PointRule point_rule = PointRule::kNone;
  // Read every image (image_dir, else the usual rule beside IN) and scale the annotations of
  // an image whose size differs from the annotated size to the image (annotation_rescale.h).
  bool resize_annotations = false;
};

struct ConvertReport {
  int64_t images = 0;
  ImportReport read;                                // what the reader kept and dropped
  std::map<std::string, int64_t> dropped_on_write;  // what the output format cannot hold
  int64_t points_written = 0;
  int64_t masks_written = 0;
  // "3 images, 12 points, 3 masks written; dropped: 2 box (input), 3 mask (csv holds points)"
  std::string summary() const;
};

// Reads `path` in format `from` (any input format above).
ForeignAnnotations read_annotations(const std::string& from, const std::string& path,
                                    const ConvertOptions& options);
// Reads a points CSV (image,x,y,class) with no dataset beside it: images in order of first
// mention (sizes read from the files in image_dir, else beside the CSV), classes by name in
// order of first mention.
ForeignAnnotations read_points_csv_alone(const std::string& path, const std::string& image_dir);

// Reads `in`, writes `out` atomically, returns what was kept and dropped. An unknown format
// is a wisenet::Error listing the known ones.
ConvertReport convert_annotations(const std::string& in, const std::string& out,
                                  const ConvertOptions& options);

}  // namespace wisenet
