#pragma once
// Building a CocoDataset from another tool's annotations (LabelMe, VIA, CVAT, point CSV): the
// checks and bookkeeping every reader shares, so each reader only walks its own format.
//
// Contract: categories get ids 1, 2, ... in the order they are first named; images get ids
// 1, 2, ... in the order they are added; annotations ids 1, 2, ... Every point and polygon is
// checked against its image (a point outside it, a polygon with fewer than 3 vertices or a
// non-finite coordinate is a wisenet::Error starting with `where`, which readers make
// "<file>: <item>"). Shapes a reader cannot keep are
// counted by kind in `dropped`, never silently lost.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wisenet/data/coco_json.h"

namespace wisenet {

// What a reader kept and what it had to leave out.
struct ImportReport {
  int64_t points = 0;                      // annotations with a point
  int64_t masks = 0;                       // annotations with a mask
  std::map<std::string, int64_t> dropped;  // shape kind -> how many were left out
  int64_t dropped_total() const;
  // "12 points, 3 masks; dropped: 2 box, 1 polyline" (or "; dropped: none").
  std::string summary() const;
};

struct ForeignAnnotations {
  CocoDataset dataset;
  ImportReport report;
};

class ForeignDatasetBuilder {
 public:
  explicit ForeignDatasetBuilder(std::string source);

  // Declares a category (in the order the tool lists them); returns its id.
  int category(const std::string& name);
  // Adds an image; returns its id. A second image with the same file name is an error.
  int64_t add_image(const std::string& file_name, int width, int height, const std::string& where);
  const ImageInfo& image(int64_t image_id) const;

  // A click at (x, y) (pixel coordinates, floored); returns the annotation's index.
  size_t add_point(int64_t image_id, double x, double y, int category, const std::string& where);
  // A polygon [x0, y0, x1, y1, ...] rasterised as pycocotools does; returns the index.
  size_t add_polygon(int64_t image_id, const std::vector<double>& xy, int category,
                     const std::string& where);
  // A mask of the image's size (non-empty); returns the index.
  size_t add_mask(int64_t image_id, const Rle& mask, int category, const std::string& where);
  // Gives the point of annotation `point_index` to the mask annotation `mask_index` and
  // removes the point annotation (one object drawn twice, e.g. LabelMe's group_id).
  void join_point_to_mask(size_t point_index, size_t mask_index);
  // Counts a shape left out.
  void drop(const std::string& kind, int64_t n = 1);

  // The dataset and the report (removing the annotations merged by join_point_to_mask).
  ForeignAnnotations finish();

 private:
  Annotation& new_annotation(int64_t image_id, int category);
  std::string source_;
  ForeignAnnotations out_;
  std::map<std::string, int> category_ids_;
  std::map<std::string, int64_t> image_ids_;
  std::vector<bool> removed_;
};

}  // namespace wisenet
