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
#include "wisenet/infer/predictor.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/proposals/proposal_cache.h"
#include "wisenet/viz/overlay.h"

namespace wisenet::cli {

namespace {

namespace fs = std::filesystem;

struct PredictParams {
  std::string model;
  std::string images;
  std::string image_dir;
  std::string out;
  std::string mode = "embedding";
  std::string proposals;
  bool overlays = false;
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
  TrainedModel model = load_trained_model(p.model);
  const ImageSource source = open_images(p.images, p.image_dir);
  std::unique_ptr<ProposalCache> cache;
  if (!p.proposals.empty()) cache = std::make_unique<ProposalCache>(p.proposals, ProposalOptions{});
  fs::create_directories(p.out);
  if (p.overlays) fs::create_directories(fs::path(p.out) / "overlays");
  OverlayOptions overlay;
  for (int c = 1; c <= model.classes.num_classes(); ++c) {
    overlay.category_names[model.classes.category_of(c)] = model.classes.names[c - 1];
  }

  std::vector<Detection> detections;
  std::ostringstream counts;
  counts << "image,class,count\n";
  ProgressBar progress("predict", static_cast<int64_t>(source.paths.size()), !p.quiet);
  for (size_t i = 0; i < source.paths.size(); ++i) {
    const ImageInfo& info = source.dataset.images[i];
    const cv::Mat rgb = load_image(source.paths[i]);
    Proposals proposals;
    if (cache) proposals = cache->get(rgb);
    const std::vector<Instance> instances =
        predict_instances(*model.model, model.classes, rgb, cache ? &proposals : nullptr, options);
    for (int c = 1; c <= model.classes.num_classes(); ++c) {
      int n = 0;
      for (const Instance& in : instances) n += in.category == model.classes.category_of(c);
      counts << info.file_name << ',' << model.classes.names[c - 1] << ',' << n << '\n';
    }
    for (const Instance& in : instances) detections.push_back({info.id, in});
    if (p.overlays) {
      const std::string name = fs::path(info.file_name).stem().string() + ".png";
      save_png((fs::path(p.out) / "overlays" / name).string(), draw_overlay(rgb, instances, overlay));
    }
    progress.update(static_cast<int64_t>(i + 1), std::to_string(detections.size()) + " objects");
  }
  progress.finish();
  write_results(detections, (fs::path(p.out) / "results.json").string());
  write_file_atomic((fs::path(p.out) / "counts.csv").string(), counts.str());
  std::cout << source.paths.size() << " images, " << detections.size() << " instances ("
            << p.mode << ")\nresults: " << (fs::path(p.out) / "results.json").string() << "\n";
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto p = std::make_shared<PredictParams>();
  CLI::App* sub = app.add_subcommand("predict", "Instance masks with a trained WISE-Net");
  sub->add_option("--model", p->model, "checkpoint (best.ckpt or last.ckpt of a run)")->required();
  sub->add_option("--images", p->images, "a folder of images, or a COCO JSON")->required();
  sub->add_option("--image-dir", p->image_dir, "folder of the JSON's images");
  sub->add_option("--out", p->out, "output folder: results.json, counts.csv, overlays/")
      ->required();
  sub->add_option("--mode", p->mode, "embedding, best-dice or best-objectness")
      ->check(CLI::IsMember({"embedding", "best-dice", "best-objectness"}))
      ->capture_default_str();
  sub->add_option("--proposals", p->proposals,
                  "proposal cache folder (default proposal options; needed by the best-* modes)");
  sub->add_flag("--overlays", p->overlays, "write overlays/<image name>.png");
  sub->add_flag("--quiet", p->quiet, "no progress bar");
  add_threads_option(sub, &p->threads);
  sub->callback([p] { run_predict(*p); });
}

}  // namespace wisenet::cli
