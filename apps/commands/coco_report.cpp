#include "commands/coco_report.h"

#include <cstdio>

namespace wisenet::cli {

namespace {

// One line in pycocotools' summarize() format.
std::string summary_line(bool ap, const std::string& iou, const char* area, int max_dets,
                         double value) {
  char buf[160];
  std::snprintf(buf, sizeof buf, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f",
                ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iou.c_str(),
                area, max_dets, value);
  return buf;
}

}  // namespace

nlohmann::json print_coco_report(std::ostream& out, const CocoDataset& gt, size_t detections,
                                 const CocoEvalResult& r, const std::string& iou_type,
                                 int max_dets) {
  const int md = max_dets;
  out << "COCO evaluation (" << iou_type << "): " << gt.images.size() << " images, "
      << gt.annotations.size() << " annotations, " << detections << " detections\n"
      << summary_line(true, "0.50:0.95", "all", md, r.AP) << "\n"
      << summary_line(true, "0.50", "all", md, r.AP50) << "\n"
      << summary_line(true, "0.75", "all", md, r.AP75) << "\n"
      << summary_line(true, "0.50:0.95", "small", md, r.APs) << "\n"
      << summary_line(true, "0.50:0.95", "medium", md, r.APm) << "\n"
      << summary_line(true, "0.50:0.95", "large", md, r.APl) << "\n"
      << summary_line(false, "0.50:0.95", "all", 1, r.AR1) << "\n"
      << summary_line(false, "0.50:0.95", "all", 10, r.AR10) << "\n"
      << summary_line(false, "0.50:0.95", "all", md, r.AR100) << "\n"
      << summary_line(false, "0.50:0.95", "small", md, r.ARs) << "\n"
      << summary_line(false, "0.50:0.95", "medium", md, r.ARm) << "\n"
      << summary_line(false, "0.50:0.95", "large", md, r.ARl) << "\n"
      << summary_line(true, "0.25", "all", md, r.AP25) << "\n"
      << "AP50 per category (-1: no ground truth):\n";
  nlohmann::json per_category = nlohmann::json::object();
  for (const auto& [id, ap50] : r.per_category_ap50) {
    const std::string& name = gt.category_name(id);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0.3f", ap50);
    out << "  " << id << " " << name << ": " << buf << "\n";
    per_category[name] = ap50;
  }
  return per_category;
}

void print_count_errors(std::ostream& out, const CountErrors& e) {
  out << "MAE " << e.mae << "  RMSE " << e.rmse << "  mean true count " << e.mean_count;
  for (size_t l = 1; l < e.game.size(); ++l) out << "  GAME(" << l << ") " << e.game[l];
  out << "\n";
}

}  // namespace wisenet::cli
