#pragma once
// COCO instance JSON: the interchange format for ground truth and point labels.
//
// Reading accepts images, categories and annotations with a segmentation given as compressed
// RLE ({"size": [h, w], "counts": "..."}), uncompressed RLE (counts as a list) or polygons
// (rasterised exactly as pycocotools does), plus `iscrowd`, `bbox`, `area` and an optional
// `"point": [x, y]` (pixel coordinates; non-integer values are floored). An annotation may
// have a point and no segmentation (a points-only dataset). Missing `bbox`/`area` are computed
// from the mask. Every problem is a wisenet::Error naming the file and the item.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "wisenet/core/types.h"

namespace wisenet {

struct ImageInfo {
  int64_t id = 0;
  std::string file_name;
  int width = 0;
  int height = 0;
};

// One annotation of a dataset. `has_mask` is false for a points-only annotation (then
// instance.mask is empty and instance.point is set).
struct Annotation {
  int64_t image_id = 0;
  Instance instance;
  bool has_mask = true;
};

// How to give a point to an annotation that has a mask and no point.
enum class PointRule {
  kNone,    // leave it without a point
  kCenter,  // the pixel deepest inside the mask (max of the L2 distance transform, 5x5 mask,
            // image border counted as background; ties to the first in row-major order),
            // the rule that made the shared data's points
  kRandom,  // uniform over the mask's pixels, seeded
};

struct CocoReadOptions {
  PointRule point_rule = PointRule::kNone;
  uint64_t seed = 0;  // for PointRule::kRandom
};

struct CocoDataset {
  std::string source;  // the file it was read from ("" when built in memory)
  std::vector<ImageInfo> images;
  std::vector<Category> categories;
  std::vector<Annotation> annotations;

  // Index of the image with this id; throws wisenet::Error when absent.
  size_t image_index(int64_t image_id) const;
  // Whether a category with this id exists.
  bool has_category(int category_id) const;
  // Name of the category; throws wisenet::Error when absent.
  const std::string& category_name(int category_id) const;
  // Annotations grouped by image index (one entry per image, possibly empty).
  std::vector<std::vector<const Annotation*>> annotations_by_image() const;
};

// Parses a COCO instance JSON file.
CocoDataset read_coco(const std::string& path, const CocoReadOptions& options = {});
// Parses COCO JSON from text; `source` names it in errors.
CocoDataset parse_coco(const std::string& text, const std::string& source,
                       const CocoReadOptions& options = {});
// Writes the dataset as COCO JSON (masks as compressed RLE, points as "point": [x, y]),
// atomically (temporary file, then rename).
void write_coco(const CocoDataset& dataset, const std::string& path);
std::string coco_to_json_text(const CocoDataset& dataset);

// The point for a mask by `rule` (kCenter or kRandom); the mask must not be empty.
Point point_for_mask(const Rle& mask, int category, PointRule rule, uint64_t seed);

}  // namespace wisenet
