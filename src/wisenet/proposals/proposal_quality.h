#pragma once
// How good are the proposals of a dataset with ground-truth masks: for each object, the best
// IoU any proposal reaches and the IoU of the proposal chosen for its point; and the oracle
// detections (chosen proposal per ground-truth point) for a COCO AP of the pseudo-masks.
#include <cstdint>
#include <vector>

#include "wisenet/core/types.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/proposals/proposal.h"
#include "wisenet/proposals/proposal_for_point.h"

namespace wisenet {

struct ObjectQuality {
  int64_t image_id = 0;
  int64_t annotation_id = 0;
  double best_iou = 0;    // max over all proposals (whatever their score)
  double chosen_iou = 0;  // of the pseudo-mask proposal_for_point gives its point
  bool fallback = false;  // true when the pseudo-mask is the point pixel alone
};

struct QualitySummary {
  int64_t objects = 0;
  double mean_best_iou = 0;
  double mean_chosen_iou = 0;
  double best_recall_50 = 0;  // share of objects with best_iou >= 0.5
  double best_recall_70 = 0;
  double chosen_recall_50 = 0;
  double chosen_recall_70 = 0;
  double fallback_rate = 0;  // share of points left with their pixel alone
};

// One entry per object of `objects` (one image's ground truth) that has a point and a mask and
// is not a crowd; the points of all such objects together are given to proposal_for_point.
std::vector<ObjectQuality> proposal_quality(int64_t image_id, const std::vector<Instance>& objects,
                                            const Proposals& proposals,
                                            const PointProposalOptions& options = {});

QualitySummary summarize_quality(const std::vector<ObjectQuality>& quality);

// One detection per measured object (as proposal_quality selects them): the pseudo-mask of its
// point, scored by the chosen proposal's objectness (0 for a point-pixel fallback), category
// = the point's.
std::vector<Detection> oracle_detections(int64_t image_id, const std::vector<Instance>& objects,
                                         const Proposals& proposals,
                                         const PointProposalOptions& options = {});

}  // namespace wisenet
