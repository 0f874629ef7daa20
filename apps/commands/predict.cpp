// wisenet predict: instance masks for a folder or a COCO JSON of images (wisenet.md section 6),
// as COCO results, per-class counts and, optionally, overlays.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "commands/coco_report.h"
#include "commands/command.h"
#include "commands/join_options.h"
#include "commands/prediction_files.h"
#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/core/threads.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/image_source.h"
#include "wisenet/deploy/onnx_runner.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/eval/detection_counts.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/proposals/proposal_cache.h"

namespace wisenet::cli {

namespace {

struct PredictParams {
  std::string model;
  std::string onnx;  // an export folder: networks run by OpenCV dnn instead of libtorch
  std::string images;
  std::string image_dir;
  std::string out;
  std::string gt;  // a COCO JSON with the images' masks: print COCO AP and counting errors
  std::string mode = "embedding";
  std::string seeds = "blobs";  // blobs: L-Net's; points: the JSON's point labels (E-Net only)
  std::string proposals;
  JoinParams join;
  bool overlays = false;
  bool label_images = false;
  bool resize_annotations = false;
  int threads = 0;
  bool quiet = false;
};

// `predict --gt`: the ground truth's image id of each predicted image, matched by file name,
// and a check that the ground truth knows the model's classes, before anything is predicted.
std::map<int64_t, int64_t> ground_truth_ids(const CocoDataset& gt, const CocoDataset& images,
                                            const ClassMap& classes) {
  std::map<std::string, int64_t> gt_id;
  for (const ImageInfo& im : gt.images) gt_id[im.file_name] = im.id;
  std::map<int64_t, int64_t> to_gt;
  for (const ImageInfo& im : images.images) {
    const auto found = gt_id.find(im.file_name);
    if (found == gt_id.end()) {
      throw Error(gt.source, "has no image " + im.file_name + " (--gt must cover --images)");
    }
    to_gt[im.id] = found->second;
  }
  for (size_t c = 0; c < classes.category_ids.size(); ++c) {
    if (!gt.has_category(classes.category_ids[c])) {
      throw Error(gt.source, "has no category " + std::to_string(classes.category_ids[c]) +
                                 " (" + classes.names[c] + "), a class of the model");
    }
  }
  return to_gt;
}

// The detections scored against the ground truth as `wisenet eval` and `wisenet count` score
// them, on the predicted images only.
void report_against(const CocoDataset& gt, const std::map<int64_t, int64_t>& to_gt,
                    const std::vector<Detection>& detections) {
  std::vector<Detection> matched = detections;
  for (Detection& d : matched) d.image_id = to_gt.at(d.image_id);
  // Only the predicted images count.
  std::set<int64_t> covered_ids;
  for (const auto& [from, to] : to_gt) covered_ids.insert(to);
  CocoDataset covered = gt;
  covered.images.erase(
      std::remove_if(covered.images.begin(), covered.images.end(),
                     [&](const ImageInfo& im) { return !covered_ids.count(im.id); }),
      covered.images.end());
  covered.annotations.erase(
      std::remove_if(covered.annotations.begin(), covered.annotations.end(),
                     [&](const Annotation& a) { return !covered_ids.count(a.image_id); }),
      covered.annotations.end());
  const CocoEvalResult r = evaluate_coco(covered, matched, CocoEvalOptions{});
  print_coco_report(std::cout, covered, matched.size(), r, "segm", CocoEvalOptions{}.max_dets);
  const CountErrors e = detection_count_errors(covered, matched);
  std::cout << "counting: ";
  print_count_errors(std::cout, e);
}

void run_predict(const PredictParams& p) {
  PredictOptions options;
  options.mode = parse_prediction_mode(p.mode);
  p.join.apply(options);
  p.join.check(p.mode, !p.proposals.empty());
  set_threads(p.threads);
  const bool point_seeds = p.seeds == "points";
  if (point_seeds && !p.onnx.empty()) throw Error("predict: --seeds points needs --model");
  if (p.model.empty() == p.onnx.empty()) {
    throw Error("predict: give exactly one of --model CKPT and --onnx DIR");
  }
  TrainedModel model;
  std::unique_ptr<OnnxRunner> onnx;
  if (p.onnx.empty()) {
    model = load_trained_model(p.model);
    options.similarity_form = model.similarity_form;
  } else {
    onnx = std::make_unique<OnnxRunner>(p.onnx);
    model.classes = onnx->config().classes;
    options.similarity_form = onnx->config().prediction.similarity_form;
  }
  // The ground truth is read first, so that a bad file fails before the long part; its objects
  // get points (the centre rule of the shared data) where they have none, for the counting.
  CocoReadOptions gt_read;
  gt_read.point_rule = PointRule::kCenter;
  const std::optional<CocoDataset> gt =
      p.gt.empty() ? std::nullopt : std::optional<CocoDataset>(read_coco(p.gt, gt_read));
  const ImageSource source =
      open_images(p.images, p.image_dir, {},
                  p.resize_annotations ? SizeMismatch::kRescale : SizeMismatch::kError);
  if (point_seeds && !source.has_ground_truth) {
    throw Error(p.images, "--seeds points needs a COCO JSON with point labels");
  }
  const std::map<int64_t, int64_t> to_gt =
      gt ? ground_truth_ids(*gt, source.dataset, model.classes) : std::map<int64_t, int64_t>{};
  std::unique_ptr<ProposalCache> cache;
  if (!p.proposals.empty()) cache = std::make_unique<ProposalCache>(p.proposals, ProposalOptions{});
  PredictionFiles files(p.out, model.classes, p.overlays, p.label_images);

  ProgressBar progress("predict", static_cast<int64_t>(source.paths.size()), !p.quiet);
  for (size_t i = 0; i < source.paths.size(); ++i) {
    const ImageInfo& info = source.dataset.images[i];
    Sample sample;
    if (point_seeds) {
      sample = load_sample(source.dataset, i, p.image_dir);
    } else {
      sample.image = load_image(source.paths[i]);
    }
    const cv::Mat& rgb = sample.image;
    Proposals proposals;
    if (cache) proposals = cache->get(rgb);
    const Proposals* cached = cache ? &proposals : nullptr;
    const std::vector<Instance> instances =
        point_seeds ? masks_for_points(*model.model, rgb, sample.points, cached, options)
        : onnx      ? predict_instances_onnx(*onnx, rgb, cached, options)
                    : predict_instances(*model.model, model.classes, rgb, cached, options);
    files.add(info, rgb, instances);
    progress.update(static_cast<int64_t>(i + 1), std::to_string(files.instances()) + " objects");
  }
  progress.finish();
  files.write();
  std::cout << source.paths.size() << " images, " << files.instances() << " instances ("
            << p.mode << ")\nresults: " << files.results_path() << "\n";
  if (gt) report_against(*gt, to_gt, files.detections());
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto p = std::make_shared<PredictParams>();
  CLI::App* sub = app.add_subcommand("predict", "Instance masks with a trained WISE-Net");
  CLI::Option* model =
      sub->add_option("--model", p->model, "checkpoint (best.ckpt or last.ckpt of a run)");
  sub->add_option("--onnx", p->onnx, "instead of --model: a `wisenet export` folder (OpenCV dnn)")
      ->excludes(model);
  sub->add_option("--images", p->images, "a folder of images, or a COCO JSON")->required();
  sub->add_option("--image-dir", p->image_dir, "folder of the JSON's images");
  sub->add_option("--out", p->out,
                  "output folder: results.json, counts.csv, objects.csv, overlays/, labels/")
      ->required();
  sub->add_option("--gt", p->gt,
                  "COCO JSON with the images' ground truth (matched by file name): print the "
                  "COCO AP table and the counting errors (MAE, GAME) after predicting");
  sub->add_option("--mode", p->mode, "embedding, best-dice or best-objectness")
      ->check(CLI::IsMember({"embedding", "best-dice", "best-objectness"}))
      ->capture_default_str();
  sub->add_option("--seeds", p->seeds,
                  "blobs: L-Net's objects; points: the JSON's point labels as the seeds (the "
                  "E-Net's masks with perfect localization; scores are 1)")
      ->check(CLI::IsMember({"blobs", "points"}))
      ->capture_default_str();
  sub->add_option("--proposals", p->proposals,
                  "proposal cache folder (default proposal options; needed by the best-* modes)");
  add_join_options(sub, &p->join);
  sub->add_flag("--overlays", p->overlays, "write overlays/<image name>.png");
  sub->add_flag("--label-images", p->label_images,
                "write labels/<image name>.png: 16-bit instance ids, 0 = background");
  sub->add_flag("--resize-annotations", p->resize_annotations,
                "JSON: accept images whose size differs from the JSON's (their entries take "
                "the real size; default: an error)");
  sub->add_flag("--quiet", p->quiet, "no progress bar");
  add_threads_option(sub, &p->threads);
  sub->callback([p] { run_predict(*p); });
}

}  // namespace wisenet::cli
