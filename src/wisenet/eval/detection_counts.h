#pragma once
// Counting errors (counting.h: MAE, RMSE, GAME) of a results file's detections against a ground
// truth, as `wisenet count` reports them for L-Net: one entry per (image, category of the ground
// truth), a detection located by its point (the seed it grew from; the centre of its box when
// it has none), an object by its annotation's point. Crowd regions are not objects.
// Usage:
//   CocoDataset gt = read_coco(path, {PointRule::kCenter});  // every object gets a point
//   CountErrors e = detection_count_errors(gt, detections);
#include <vector>

#include "wisenet/data/coco_json.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/eval/counting.h"

namespace wisenet {

// Throws wisenet::Error naming the ground truth's source for an object without a point (read it
// with a PointRule) or a detection of an image or category the ground truth does not have.
CountErrors detection_count_errors(const CocoDataset& ground_truth,
                                   const std::vector<Detection>& detections, int max_level = 3);

}  // namespace wisenet
