#pragma once
// pycocotools' COCOeval.evaluateImg: greedy matching of one (image, category) cell for one
// area range. Internal to coco_eval.cpp; exposed for tests.
#include <array>
#include <cstdint>
#include <vector>

namespace wisenet {

// One (image, category) cell. Detections are already in pycocotools' order (stable sort by
// descending score) and truncated to the largest maxDets; ground truths are in file order.
struct CocoCell {
  std::vector<int64_t> gt_id;
  std::vector<double> gt_area;
  std::vector<uint8_t> gt_crowd;  // also pycocotools' `ignore` flag
  std::vector<double> dt_area;
  std::vector<double> dt_score;
  // IoU of detection d with ground truth g at [d * G + g]; empty when G or D is 0.
  std::vector<double> ious;
};

// evaluateImg's result for one area range.
struct CocoImageEval {
  std::vector<double> dt_scores;    // D (after truncation to max_det)
  std::vector<int64_t> dt_matches;  // T x D: id of the matched ground truth, 0 when none
  std::vector<uint8_t> dt_ignore;   // T x D
  std::vector<uint8_t> gt_ignore;   // G, reordered with the ignored ground truths last
};

// Matches like evaluateImg: gts sorted (stable) with ignored last, each detection in score
// order takes the best-IoU gt with IoU >= min(t, 1 - 1e-10), not yet matched unless crowd,
// preferring non-ignored gts; unmatched detections outside the area range are ignored.
CocoImageEval evaluate_cell(const CocoCell& cell, const std::array<double, 2>& area_range,
                            int max_det, const std::vector<double>& iou_thresholds);

}  // namespace wisenet
