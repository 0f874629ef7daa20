#pragma once
// The vocabulary every stage of the pipeline speaks.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"

namespace wisenet {

// One click: pixel (x, y) of the image (0-based, x to the right, y down) on an object of
// `category` (a dataset category id, >= 1; 0 is background).
struct Point {
  int x = 0;
  int y = 0;
  int category = 0;
  bool operator==(const Point& o) const {
    return x == o.x && y == o.y && category == o.category;
  }
};

// One object, ground truth or predicted. `mask` has the image's size. `bbox` is
// [x, y, w, h]; for ground truth it is the dataset's own, for predictions mask.bbox().
// `area` is the dataset's own for ground truth (COCO evaluation uses it), the mask area
// otherwise. `point` is the click on this object, when known.
struct Instance {
  int64_t id = 0;
  int category = 0;
  double score = 1.0;
  Rle mask;
  std::array<double, 4> bbox{0, 0, 0, 0};
  double area = 0;
  bool iscrowd = false;
  std::optional<Point> point;
};

// One training or evaluation image: RGB 8-bit pixels, its clicks and (when known) its
// ground-truth instances.
struct Sample {
  int64_t image_id = 0;
  std::string file_name;
  cv::Mat image;  // CV_8UC3, RGB order
  std::vector<Point> points;
  std::vector<Instance> instances;
};

struct Category {
  int id = 0;
  std::string name;
};

}  // namespace wisenet
