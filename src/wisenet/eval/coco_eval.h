#pragma once
// COCO instance evaluation, computed exactly as pycocotools' COCOeval (evaluate, accumulate,
// summarize) with its default Params, for iouType "segm" (mask IoU) and "bbox".
//
// Usage:
//   CocoDataset gt = read_coco("val.json");
//   std::vector<Detection> dt = read_results("results.json", gt);
//   CocoEvalResult r = evaluate_coco(gt, dt, {IouType::kSegm});
//   r.AP50, r.per_category_ap50[category_id], ...
#include <array>
#include <map>
#include <string>
#include <vector>

#include "wisenet/data/coco_json.h"
#include "wisenet/data/coco_results.h"

namespace wisenet {

enum class IouType { kSegm, kBbox };

// Parses "segm" / "bbox"; throws wisenet::Error naming the value otherwise.
IouType parse_iou_type(const std::string& name);

struct CocoEvalOptions {
  IouType iou_type = IouType::kSegm;
  // The last of pycocotools' maxDets [1, 10, 100]; raise it (e.g. 1000) for dense scenes.
  // Must be at least 10 so that maxDets stays ascending as pycocotools requires.
  int max_dets = 100;
};

// pycocotools' summarize() numbers (-1 where no ground truth falls in the range), plus AP at
// IoU 0.25 and AP50 per category. With max_dets != 100, AP and the *s/m/l and AR100 entries
// use max_dets (pycocotools' summarize hard-codes 100 for AP and would print -1).
struct CocoEvalResult {
  double AP = -1, AP50 = -1, AP75 = -1, APs = -1, APm = -1, APl = -1;
  double AR1 = -1, AR10 = -1, AR100 = -1, ARs = -1, ARm = -1, ARl = -1;
  // Same procedure with the single IoU threshold 0.25, all areas, max_dets detections.
  double AP25 = -1;
  // Category id -> AP at IoU 0.5 (all areas, max_dets); -1 when the category has no
  // non-crowd ground truth. One entry per category of the ground truth.
  std::map<int, double> per_category_ap50;

  // The 12 numbers in COCOeval.stats order (AP, AP50, ..., ARl).
  std::array<double, 12> stats() const;
};

// Names of the 12 stats, in stats() order.
const std::array<const char*, 12>& coco_stat_names();

// Evaluates `detections` against `ground_truth` over all its images and categories (images
// without detections count). Requires every detection's image to be in the ground truth
// (throws wisenet::Error otherwise); detections of categories absent from the ground truth
// are ignored, as pycocotools does. For segm every ground-truth annotation needs a mask.
// IoUs run in parallel over (image, category) cells on OpenCV's thread pool
// (cv::setNumThreads, i.e. wisenet::set_threads, sets its size).
CocoEvalResult evaluate_coco(const CocoDataset& ground_truth,
                             const std::vector<Detection>& detections,
                             const CocoEvalOptions& options = {});

// pycocotools' thresholds, bit for bit: np.linspace(.5, .95, 10) and np.linspace(0, 1, 101)
// as numpy computes them (start + i * ((stop - start) / (n - 1)), last element = stop).
std::vector<double> coco_iou_thresholds();
std::vector<double> coco_recall_thresholds();
// numpy.linspace(start, stop, num, endpoint=True), reproducing its rounding.
std::vector<double> numpy_linspace(double start, double stop, int num);

}  // namespace wisenet
