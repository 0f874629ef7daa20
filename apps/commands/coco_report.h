#pragma once
// The COCO table `wisenet eval` prints (pycocotools' summarize() lines, AP at IoU 0.25 and AP50
// per category) and the counting line of `wisenet count`, shared with `wisenet predict --gt`.
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "wisenet/data/coco_json.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/eval/counting.h"

namespace wisenet::cli {

// Prints the table for `r` (evaluate_coco of `detections` detections against `gt`); returns
// AP50 per category name, as `eval --json` writes it.
nlohmann::json print_coco_report(std::ostream& out, const CocoDataset& gt, size_t detections,
                                 const CocoEvalResult& r, const std::string& iou_type,
                                 int max_dets);

// "MAE m  RMSE r  mean true count c  GAME(1) g1 ..." and a newline.
void print_count_errors(std::ostream& out, const CountErrors& e);

}  // namespace wisenet::cli
