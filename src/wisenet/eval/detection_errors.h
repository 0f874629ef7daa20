#pragma once
// Where the detections of a results file go wrong, beside COCO AP: a diagnostic of instance
// masks at IoU 0.5. In each image, detections take in score order the unmatched object of their
// category of highest mask IoU >= 0.5 (COCO's greedy matching at one threshold, crowd regions
// left out); each unmatched detection is then put in one bin by the object it overlaps most.
// Usage:
//   const DetectionErrors e = detection_errors(ground_truth, read_results(path, ground_truth));
#include <cstdint>
#include <vector>

#include "wisenet/data/coco_results.h"

namespace wisenet {

struct DetectionErrors {
  int64_t detections = 0;
  int64_t matched = 0;      // detections matched at IoU >= 0.5
  // Unmatched detections, by the object of highest IoU with them:
  int64_t poor_mask = 0;    // IoU >= overlap with an object of their category no detection matched
  int64_t duplicate = 0;    // IoU >= overlap with an object of their category already matched
  int64_t wrong_class = 0;  // IoU >= overlap with an object of another category
  int64_t background = 0;   // IoU < overlap with every object
  int64_t objects = 0;      // non-crowd ground-truth objects
  // Objects no detection claims: neither matched nor any unmatched detection's object of highest
  // IoU (>= overlap). They have no detection of their own: missed, or merged into another's.
  int64_t missed = 0;
};

// Requires: every detection's image is in `ground_truth` (as read_results ensures).
DetectionErrors detection_errors(const CocoDataset& ground_truth,
                                 const std::vector<Detection>& detections, double overlap = 0.1);

}  // namespace wisenet
