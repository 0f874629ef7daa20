#include "wisenet/proposals/proposal_quality.h"

#include <algorithm>

#include "wisenet/proposals/near_duplicates.h"

namespace wisenet {
namespace {

// The objects that can be measured: with a point and a mask, not crowds.
std::vector<const Instance*> measured(const std::vector<Instance>& objects) {
  std::vector<const Instance*> out;
  for (const auto& o : objects) {
    if (o.point && !o.iscrowd && o.mask.height() > 0) out.push_back(&o);
  }
  return out;
}

std::vector<Point> points_of(const std::vector<const Instance*>& objects) {
  std::vector<Point> points;
  for (const auto* o : objects) points.push_back(*o->point);
  return points;
}

}  // namespace

std::vector<ObjectQuality> proposal_quality(int64_t image_id, const std::vector<Instance>& objects,
                                            const Proposals& proposals,
                                            const PointProposalOptions& options) {
  const auto selected = measured(objects);
  std::vector<ObjectQuality> quality;
  if (selected.empty()) return quality;
  const int height = selected[0]->mask.height();
  const int width = selected[0]->mask.width();
  const PointProposals chosen =
      proposal_for_point(points_of(selected), proposals, height, width, options);
  std::vector<MaskRef> refs;
  for (const auto& p : proposals) refs.push_back(mask_ref(p.mask));
  for (size_t i = 0; i < selected.size(); ++i) {
    const Instance& object = *selected[i];
    const MaskRef truth = mask_ref(object.mask);
    ObjectQuality q;
    q.image_id = image_id;
    q.annotation_id = object.id;
    for (const auto& r : refs) {
      if ((r.box & truth.box).area() == 0) continue;  // no overlap possible
      q.best_iou = std::max(q.best_iou, mask_iou(*r.mask, object.mask, false));
    }
    q.chosen_iou = mask_iou(chosen.pseudo_masks[i], object.mask, false);
    q.fallback = chosen.chosen[i] < 0;
    quality.push_back(q);
  }
  return quality;
}

QualitySummary summarize_quality(const std::vector<ObjectQuality>& quality) {
  QualitySummary s;
  s.objects = static_cast<int64_t>(quality.size());
  if (quality.empty()) return s;
  for (const auto& q : quality) {
    s.mean_best_iou += q.best_iou;
    s.mean_chosen_iou += q.chosen_iou;
    s.best_recall_50 += q.best_iou >= 0.5;
    s.best_recall_70 += q.best_iou >= 0.7;
    s.chosen_recall_50 += q.chosen_iou >= 0.5;
    s.chosen_recall_70 += q.chosen_iou >= 0.7;
    s.fallback_rate += q.fallback;
  }
  const double n = static_cast<double>(quality.size());
  for (double* v : {&s.mean_best_iou, &s.mean_chosen_iou, &s.best_recall_50, &s.best_recall_70,
                    &s.chosen_recall_50, &s.chosen_recall_70, &s.fallback_rate}) {
    *v /= n;
  }
  return s;
}

std::vector<Detection> oracle_detections(int64_t image_id, const std::vector<Instance>& objects,
                                         const Proposals& proposals,
                                         const PointProposalOptions& options) {
  const auto selected = measured(objects);
  std::vector<Detection> detections;
  if (selected.empty()) return detections;
  const PointProposals chosen =
      proposal_for_point(points_of(selected), proposals, selected[0]->mask.height(),
                         selected[0]->mask.width(), options);
  for (size_t i = 0; i < selected.size(); ++i) {
    Detection d;
    d.image_id = image_id;
    // The point carries the category; fall back to the object's for points without one.
    d.instance.category = selected[i]->point->category > 0 ? selected[i]->point->category
                                                           : selected[i]->category;
    d.instance.mask = chosen.pseudo_masks[i];
    d.instance.score = chosen.chosen[i] >= 0 ? proposals[chosen.chosen[i]].score : 0.0;
    d.instance.bbox = d.instance.mask.bbox();
    d.instance.area = static_cast<double>(d.instance.mask.area());
    detections.push_back(std::move(d));
  }
  return detections;
}

}  // namespace wisenet
