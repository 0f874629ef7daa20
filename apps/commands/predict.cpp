// wisenet predict: instance masks for a folder or a COCO JSON of images (wisenet.md section 6),
// as COCO results, per-class counts and, optionally, overlays.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands/command.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/core/threads.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/image_source.h"
#include "wisenet/data/object_table.h"
#include "wisenet/deploy/onnx_runner.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/proposals/proposal_cache.h"
#include "wisenet/viz/overlay.h"

namespace wisenet::cli {

namespace {

namespace fs = std::filesystem;

struct PredictParams {
  std::string model;
  std::string onnx;  // an export folder: networks run by OpenCV dnn instead of libtorch
  std::string images;
  std::string image_dir;
  std::string out;
  std::string mode = "embedding";
  std::string proposals;
  bool overlays = false;
  bool label_images = false;
  int threads = 0;
  bool quiet = false;
};

void run_predict(const PredictParams& p) {
  PredictOptions options;
  options.mode = parse_prediction_mode(p.mode);
  if (options.mode != PredictionMode::kEmbedding && p.proposals.empty()) {
    throw Error("--mode " + p.mode + " needs --proposals CACHE_DIR");
  }
  set_threads(p.threads);
  if (p.model.empty() == p.onnx.empty()) {
    throw Error("predict: give exactly one of --model CKPT and --onnx DIR");
  }
  TrainedModel model;
  std::unique_ptr<OnnxRunner> onnx;
  if (p.onnx.empty()) {
    model = load_trained_model(p.model);
  } else {
    onnx = std::make_unique<OnnxRunner>(p.onnx);
    model.classes = onnx->config().classes;
  }
  const ImageSource source = open_images(p.images, p.image_dir);
  std::unique_ptr<ProposalCache> cache;
  if (!p.proposals.empty()) cache = std::make_unique<ProposalCache>(p.proposals, ProposalOptions{});
  fs::create_directories(p.out);
  if (p.overlays) fs::create_directories(fs::path(p.out) / "overlays");
  if (p.label_images) fs::create_directories(fs::path(p.out) / "labels");
  std::vector<std::pair<int, std::string>> class_names;  // for objects.csv
  OverlayOptions overlay;
  for (int c = 1; c <= model.classes.num_classes(); ++c) {
    class_names.emplace_back(model.classes.category_of(c), model.classes.names[c - 1]);
    overlay.category_names[model.classes.category_of(c)] = model.classes.names[c - 1];
  }

  std::vector<Detection> detections;
  std::ostringstream counts;
  counts << "image,class,count\n";
  std::string objects = object_table_header();
  ProgressBar progress("predict", static_cast<int64_t>(source.paths.size()), !p.quiet);
  for (size_t i = 0; i < source.paths.size(); ++i) {
    const ImageInfo& info = source.dataset.images[i];
    const cv::Mat rgb = load_image(source.paths[i]);
    Proposals proposals;
    if (cache) proposals = cache->get(rgb);
    const Proposals* cached = cache ? &proposals : nullptr;
    const std::vector<Instance> instances =
        onnx ? predict_instances_onnx(*onnx, rgb, cached, options)
             : predict_instances(*model.model, model.classes, rgb, cached, options);
    for (int c = 1; c <= model.classes.num_classes(); ++c) {
      int n = 0;
      for (const Instance& in : instances) n += in.category == model.classes.category_of(c);
      counts << info.file_name << ',' << model.classes.names[c - 1] << ',' << n << '\n';
    }
    for (const Instance& in : instances) detections.push_back({info.id, in});
    objects += object_table_rows(info.file_name, instances, class_names);
    if (p.label_images) {
      // 16-bit PNG of instance ids (cellpose / CellProfiler read these); ids match objects.csv.
      const std::string name = fs::path(info.file_name).stem().string() + ".png";
      save_png((fs::path(p.out) / "labels" / name).string(),
               instance_label_image(instances, rgb.rows, rgb.cols));
    }
    if (p.overlays) {
      const std::string name = fs::path(info.file_name).stem().string() + ".png";
      save_png((fs::path(p.out) / "overlays" / name).string(), draw_overlay(rgb, instances, overlay));
    }
    progress.update(static_cast<int64_t>(i + 1), std::to_string(detections.size()) + " objects");
  }
  progress.finish();
  write_results(detections, (fs::path(p.out) / "results.json").string());
  write_file_atomic((fs::path(p.out) / "counts.csv").string(), counts.str());
  write_file_atomic((fs::path(p.out) / "objects.csv").string(), objects);
  std::cout << source.paths.size() << " images, " << detections.size() << " instances ("
            << p.mode << ")\nresults: " << (fs::path(p.out) / "results.json").string() << "\n";
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
  sub->add_option("--mode", p->mode, "embedding, best-dice or best-objectness")
      ->check(CLI::IsMember({"embedding", "best-dice", "best-objectness"}))
      ->capture_default_str();
  sub->add_option("--proposals", p->proposals,
                  "proposal cache folder (default proposal options; needed by the best-* modes)");
  sub->add_flag("--overlays", p->overlays, "write overlays/<image name>.png");
  sub->add_flag("--label-images", p->label_images,
                "write labels/<image name>.png: 16-bit instance ids, 0 = background");
  sub->add_flag("--quiet", p->quiet, "no progress bar");
  add_threads_option(sub, &p->threads);
  sub->callback([p] { run_predict(*p); });
}

}  // namespace wisenet::cli
