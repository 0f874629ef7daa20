#pragma once
// pycocotools' COCOeval.accumulate: precision/recall tables from the per-image matches.
// Internal to coco_eval.cpp; exposed for tests.
#include <cstddef>
#include <vector>

#include "wisenet/eval/coco_match.h"

namespace wisenet {

// precision[t][r][k][a][m] and recall[t][k][a][m], -1 where a (k, a, m) has no non-ignored
// ground truth (or no evaluated image at all), as pycocotools' eval['precision'/'recall'].
struct CocoAccumulated {
  size_t T = 0, R = 0, K = 0, A = 0, M = 0;
  std::vector<double> precision;
  std::vector<double> recall;
  double& precision_at(size_t t, size_t r, size_t k, size_t a, size_t m) {
    return precision[(((t * R + r) * K + k) * A + a) * M + m];
  }
  double precision_at(size_t t, size_t r, size_t k, size_t a, size_t m) const {
    return precision[(((t * R + r) * K + k) * A + a) * M + m];
  }
  double& recall_at(size_t t, size_t k, size_t a, size_t m) {
    return recall[((t * K + k) * A + a) * M + m];
  }
  double recall_at(size_t t, size_t k, size_t a, size_t m) const {
    return recall[((t * K + k) * A + a) * M + m];
  }
};

// `evals` has K * A * I entries, entry (k * A + a) * I + i for category k, area range a and
// image i (images in ascending id order); null where pycocotools' evaluateImg returned None
// (no gt and no detection). Each eval was matched with the largest of `max_dets`; here each
// image's detections are cut to each maxDet, concatenated in image order and stably sorted
// by descending score; precision is made monotone from the right and sampled at the first
// detection whose recall reaches each recall threshold (0 past the last detection).
CocoAccumulated accumulate_evals(const std::vector<const CocoImageEval*>& evals, size_t K, size_t A,
                                 size_t I, size_t T, const std::vector<int>& max_dets,
                                 const std::vector<double>& recall_thresholds);

}  // namespace wisenet
