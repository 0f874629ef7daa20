#pragma once
// COCO results ("detections"): a JSON list of {image_id, category_id, segmentation, score},
// the standard output of instance segmentation, as pycocotools' loadRes reads it.
#include <string>
#include <vector>

#include "wisenet/data/coco_json.h"

namespace wisenet {

// One result. instance.mask is the decoded segmentation; instance.bbox = mask.bbox() and
// instance.area = mask.area() unless the file gives a `bbox` (then area = w*h, as loadRes).
struct Detection {
  int64_t image_id = 0;
  Instance instance;
};

// Reads a results file. Each result's image and category must exist in `ground_truth`, and
// its mask must have that image's size. Errors name the file and the result's index.
std::vector<Detection> read_results(const std::string& path, const CocoDataset& ground_truth);
std::vector<Detection> parse_results(const std::string& text, const std::string& source,
                                     const CocoDataset& ground_truth);
// Writes results (image_id, category_id, segmentation as compressed RLE, score) atomically.
// No bbox is written: pycocotools would then take the area from it, not from the mask.
void write_results(const std::vector<Detection>& detections, const std::string& path);

}  // namespace wisenet
