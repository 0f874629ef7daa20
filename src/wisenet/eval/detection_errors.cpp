#include "wisenet/eval/detection_errors.h"

#include <algorithm>
#include <map>

#include "wisenet/core/rle.h"

namespace wisenet {

DetectionErrors detection_errors(const CocoDataset& ground_truth,
                                 const std::vector<Detection>& detections, double overlap) {
  constexpr double kMatch = 0.5;
  std::map<int64_t, std::vector<const Instance*>> objects, found;
  for (const Annotation& a : ground_truth.annotations) {
    if (!a.instance.iscrowd) objects[a.image_id].push_back(&a.instance);
  }
  for (const Detection& d : detections) found[d.image_id].push_back(&d.instance);
  DetectionErrors e;
  e.detections = static_cast<int64_t>(detections.size());
  for (const auto& [image, gts] : objects) e.objects += static_cast<int64_t>(gts.size());
  for (auto& [image, dts] : found) {
    std::stable_sort(dts.begin(), dts.end(),
                     [](const Instance* a, const Instance* b) { return a->score > b->score; });
    static const std::vector<const Instance*> kNone;
    const auto with_objects = objects.find(image);
    const std::vector<const Instance*>& gts =
        with_objects == objects.end() ? kNone : with_objects->second;
    const size_t g_count = gts.size();
    // ious[d * G + g]
    std::vector<double> ious(dts.size() * g_count);
    for (size_t d = 0; d < dts.size(); ++d) {
      for (size_t g = 0; g < g_count; ++g) {
        ious[d * g_count + g] = mask_iou(dts[d]->mask, gts[g]->mask, false);
      }
    }
    std::vector<uint8_t> matched(g_count, 0), unmatched_detection(dts.size(), 1);
    for (size_t d = 0; d < dts.size(); ++d) {
      int best = -1;
      double best_iou = kMatch;
      for (size_t g = 0; g < g_count; ++g) {
        if (matched[g] || gts[g]->category != dts[d]->category) continue;
        if (ious[d * g_count + g] >= best_iou) {
          best_iou = ious[d * g_count + g];
          best = static_cast<int>(g);
        }
      }
      if (best < 0) continue;
      matched[best] = 1;
      unmatched_detection[d] = 0;
      ++e.matched;
    }
    // An object is claimed by the detection matched to it and by each unmatched detection whose
    // object of highest IoU (the first of equals) it is.
    std::vector<uint8_t> claimed = matched;
    for (size_t d = 0; d < dts.size(); ++d) {
      if (!unmatched_detection[d]) continue;
      int best = -1;
      double best_iou = 0;
      for (size_t g = 0; g < g_count; ++g) {
        if (ious[d * g_count + g] > best_iou) {
          best_iou = ious[d * g_count + g];
          best = static_cast<int>(g);
        }
      }
      if (best < 0 || best_iou < overlap) {
        ++e.background;
        continue;
      }
      if (gts[best]->category != dts[d]->category) {
        ++e.wrong_class;
      } else if (matched[best]) {
        ++e.duplicate;
      } else {
        ++e.poor_mask;
      }
      claimed[best] = 1;
    }
    for (size_t g = 0; g < g_count; ++g) e.missed += !claimed[g];
  }
  // Images with objects and no detection at all.
  for (const auto& [image, gts] : objects) {
    if (found.count(image) == 0) e.missed += static_cast<int64_t>(gts.size());
  }
  return e;
}

}  // namespace wisenet
