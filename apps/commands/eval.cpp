// wisenet eval: COCO AP (as pycocotools) of a results file against a ground truth.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands/coco_report.h"
#include "commands/command.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/core/threads.h"
#include "wisenet/data/annotation_rescale.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/eval/detection_errors.h"

namespace wisenet::cli {
namespace {

struct EvalParams {
  std::string gt;
  std::string pred;
  std::string iou_type = "segm";
  std::string json_out;
  int max_dets = 100;
  bool resize_annotations = false;
  std::string image_dir;
  bool errors = false;
  int threads = 0;
};

void run_eval(const EvalParams& p) {
  if (p.errors && p.iou_type != "segm") throw Error("eval: --errors needs --iou-type segm");
  set_threads(p.threads);
  const CocoEvalOptions options{parse_iou_type(p.iou_type), p.max_dets};
  CocoDataset gt = read_coco(p.gt);
  // Results are made on the images as they are: with --resize-annotations the ground truth
  // takes the images' real sizes (read from the files) before the results are matched to it.
  if (p.resize_annotations) match_dataset_image_sizes(gt, p.image_dir, SizeMismatch::kRescale);
  const std::vector<Detection> dt = read_results(p.pred, gt);
  const CocoEvalResult r = evaluate_coco(gt, dt, options);

  const nlohmann::json per_category =
      print_coco_report(std::cout, gt, dt.size(), r, p.iou_type, p.max_dets);
  nlohmann::json errors;
  if (p.errors) {
    const DetectionErrors e = detection_errors(gt, dt);
    std::cout << "Errors at mask IoU 0.5: " << e.matched << " of " << e.detections
              << " detections matched; unmatched: " << e.poor_mask << " poor masks (IoU 0.1-0.5 "
              << "with an unmatched object of their class), " << e.duplicate << " duplicates, "
              << e.wrong_class << " wrong class, " << e.background << " on background; "
              << e.missed << " of " << e.objects
              << " objects without a detection of their own (missed, or merged into another's)\n";
    errors = {{"detections", e.detections}, {"matched", e.matched},
              {"poor_mask", e.poor_mask},   {"duplicate", e.duplicate},
              {"wrong_class", e.wrong_class}, {"background", e.background},
              {"objects", e.objects},       {"missed", e.missed}};
  }
  if (!p.json_out.empty()) {
    nlohmann::json out = nlohmann::json::object();
    const auto stats = r.stats();
    for (size_t s = 0; s < stats.size(); ++s) out[coco_stat_names()[s]] = stats[s];
    out["AP25"] = r.AP25;
    out["per_category"] = per_category;
    if (p.errors) out["errors"] = errors;
    write_file_atomic(p.json_out, out.dump(1) + "\n");
    std::cout << "wrote " << p.json_out << "\n";
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto params = std::make_shared<EvalParams>();
  CLI::App* command = app.add_subcommand(
      "eval",
      "COCO instance evaluation exactly as pycocotools (AP, AP50, AP75, APs/m/l, AR1/10/100, "
      "ARs/m/l), plus AP at IoU 0.25 and AP50 per category");
  command->add_option("--gt", params->gt, "Ground truth, COCO instance JSON")->required();
  command->add_option("--pred", params->pred, "Results, COCO results JSON")->required();
  command->add_option("--iou-type", params->iou_type, "segm (mask IoU) or bbox")
      ->check(CLI::IsMember({"segm", "bbox"}))
      ->capture_default_str();
  command->add_option("--json", params->json_out, "Also write the numbers as one JSON object");
  command
      ->add_option("--max-dets", params->max_dets,
                   "Detections per image for the last maxDets (>= 10; 1000 for dense scenes)")
      ->check(CLI::Range(10, 1000000))
      ->capture_default_str();
  command->add_flag("--resize-annotations", params->resize_annotations,
                    "read the ground truth's images and scale the annotations of an image whose "
                    "size differs from the JSON's to the image (default: results must have the "
                    "JSON's sizes)");
  command->add_option("--image-dir", params->image_dir,
                      "with --resize-annotations: folder of the ground truth's images");
  command->add_flag("--errors", params->errors,
                    "also sort the detections at mask IoU 0.5: matched, poor masks, duplicates, "
                    "wrong class, background; and the objects without a detection of their own "
                    "(segm only)");
  add_threads_option(command, &params->threads);
  command->callback([params]() { run_eval(*params); });
}

}  // namespace wisenet::cli
