#include "wisenet/eval/coco_match.h"

#include <algorithm>
#include <numeric>

namespace wisenet {

CocoImageEval evaluate_cell(const CocoCell& cell, const std::array<double, 2>& area_range,
                            int max_det, const std::vector<double>& iou_thresholds) {
  const size_t G = cell.gt_id.size();
  const size_t D_all = cell.dt_score.size();
  const size_t D = std::min(D_all, static_cast<size_t>(std::max(max_det, 0)));
  const size_t T = iou_thresholds.size();

  // gt_ignore, then a stable order with the ignored ground truths last (argsort mergesort).
  std::vector<uint8_t> ignore(G);
  for (size_t g = 0; g < G; ++g) {
    ignore[g] =
        cell.gt_crowd[g] || cell.gt_area[g] < area_range[0] || cell.gt_area[g] > area_range[1];
  }
  std::vector<size_t> gt_order(G);
  std::iota(gt_order.begin(), gt_order.end(), size_t{0});
  std::stable_sort(gt_order.begin(), gt_order.end(),
                   [&](size_t a, size_t b) { return ignore[a] < ignore[b]; });

  CocoImageEval out;
  out.dt_scores.assign(cell.dt_score.begin(), cell.dt_score.begin() + static_cast<long>(D));
  out.dt_matches.assign(T * D, 0);
  out.dt_ignore.assign(T * D, 0);
  out.gt_ignore.resize(G);
  for (size_t j = 0; j < G; ++j) out.gt_ignore[j] = ignore[gt_order[j]];

  if (!cell.ious.empty() && G > 0 && D > 0) {
    // gtm in pycocotools holds the matched detection id (always > 0): a flag suffices.
    std::vector<uint8_t> gt_matched(G);
    for (size_t t = 0; t < T; ++t) {
      std::fill(gt_matched.begin(), gt_matched.end(), 0);
      for (size_t d = 0; d < D; ++d) {
        double iou = std::min(iou_thresholds[t], 1 - 1e-10);
        long m = -1;
        for (size_t j = 0; j < G; ++j) {
          const size_t g = gt_order[j];
          if (gt_matched[j] && !cell.gt_crowd[g]) continue;
          // Once matched to a regular gt, stop at the first ignored one (they come last).
          if (m > -1 && !out.gt_ignore[static_cast<size_t>(m)] && out.gt_ignore[j]) break;
          const double v = cell.ious[d * G + g];
          if (v < iou) continue;
          iou = v;
          m = static_cast<long>(j);
        }
        if (m == -1) continue;
        const size_t mj = static_cast<size_t>(m);
        out.dt_ignore[t * D + d] = out.gt_ignore[mj];
        out.dt_matches[t * D + d] = cell.gt_id[gt_order[mj]];
        gt_matched[mj] = 1;
      }
    }
  }
  // Unmatched detections outside the area range do not count (dtm == 0, as pycocotools
  // tests it: a match to a gt whose id is 0 is treated as unmatched there too).
  for (size_t d = 0; d < D; ++d) {
    const bool out_of_range = cell.dt_area[d] < area_range[0] || cell.dt_area[d] > area_range[1];
    if (!out_of_range) continue;
    for (size_t t = 0; t < T; ++t) {
      if (out.dt_matches[t * D + d] == 0) out.dt_ignore[t * D + d] = 1;
    }
  }
  return out;
}

}  // namespace wisenet
