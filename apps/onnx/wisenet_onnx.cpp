// wisenet-onnx: `wisenet predict --onnx` as a program that links no libtorch (issue #10), for
// machines where libtorch is not installed. The networks of a `wisenet export` folder run in
// OpenCV's dnn module; everything else is the torch-free library code `wisenet predict` uses
// (wisenet_deploy, wisenet_io_core, commands/prediction_files.h), so for the same inputs it
// writes the same files, byte for byte (tests/deploy checks both, and that ldd lists no
// libtorch).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "commands/join_options.h"
#include "commands/prediction_files.h"
#include "wisenet/core/error.h"
#include "wisenet/core/opencv_threads.h"
#include "wisenet/core/progress.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/image_source.h"
#include "wisenet/deploy/onnx_runner.h"
#include "wisenet/proposals/proposal_cache.h"

namespace wisenet::cli {

namespace {

struct OnnxPredictParams {
  std::string onnx;  // a `wisenet export` folder
  std::string images;
  std::string image_dir;
  std::string out;
  std::string mode = "embedding";
  std::string proposals;
  JoinParams join;
  bool overlays = false;
  bool label_images = false;
  int threads = 0;
  bool quiet = false;
};

// The loop of `wisenet predict --onnx` (apps/commands/predict.cpp), in the same order.
void run_onnx_predict(const OnnxPredictParams& p) {
  PredictOptions options;
  options.mode = parse_prediction_mode(p.mode);
  p.join.apply(options);
  p.join.check(p.mode, !p.proposals.empty());
  set_opencv_threads(p.threads);
  OnnxRunner onnx(p.onnx);
  options.similarity_form = onnx.config().prediction.similarity_form;
  const ImageSource source = open_images(p.images, p.image_dir);
  std::unique_ptr<ProposalCache> cache;
  if (!p.proposals.empty()) cache = std::make_unique<ProposalCache>(p.proposals, ProposalOptions{});
  PredictionFiles files(p.out, onnx.config().classes, p.overlays, p.label_images);

  ProgressBar progress("predict", static_cast<int64_t>(source.paths.size()), !p.quiet);
  for (size_t i = 0; i < source.paths.size(); ++i) {
    const cv::Mat rgb = load_image(source.paths[i]);
    Proposals proposals;
    if (cache) proposals = cache->get(rgb);
    files.add(source.dataset.images[i], rgb,
              predict_instances_onnx(onnx, rgb, cache ? &proposals : nullptr, options));
    progress.update(static_cast<int64_t>(i + 1), std::to_string(files.instances()) + " objects");
  }
  progress.finish();
  files.write();
  std::cout << source.paths.size() << " images, " << files.instances() << " instances (" << p.mode
            << ")\nresults: " << files.results_path() << "\n";
}

void add_onnx_predict_command(CLI::App& app) {
  auto p = std::make_shared<OnnxPredictParams>();
  CLI::App* sub = app.add_subcommand(
      "predict",
      "Instance masks with an exported WISE-Net (OpenCV dnn), as `wisenet predict --onnx`");
  sub->add_option("--onnx", p->onnx,
                  "a `wisenet export` folder (lnet.onnx, enet.onnx, wisenet.json)")
      ->required();
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
  add_join_options(sub, &p->join);
  sub->add_flag("--overlays", p->overlays, "write overlays/<image name>.png");
  sub->add_flag("--label-images", p->label_images,
                "write labels/<image name>.png: 16-bit instance ids, 0 = background");
  sub->add_flag("--quiet", p->quiet, "no progress bar");
  sub->add_option("--threads", p->threads, "Threads for OpenCV (0 = all cores)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  sub->callback([p] { run_onnx_predict(*p); });
}

}  // namespace

}  // namespace wisenet::cli

int main(int argc, char** argv) {
  CLI::App app{
      "wisenet-onnx: instance masks from a `wisenet export` folder, without libtorch.\n"
      "Run `wisenet-onnx predict --help` for the options."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wisenet-onnx 0.1.0");
  wisenet::cli::add_onnx_predict_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; a usage error is one line, like every error.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "wisenet-onnx: error: " << e.what() << " (see --help)\n";
    return e.get_exit_code();
  } catch (const wisenet::Error& e) {
    std::cerr << "wisenet-onnx: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    // OpenCV's cv::Exception and std::filesystem errors: their first line only.
    const std::string message = e.what();
    std::cerr << "wisenet-onnx: error: " << message.substr(0, message.find('\n')) << "\n";
    return 1;
  }
  return 0;
}
