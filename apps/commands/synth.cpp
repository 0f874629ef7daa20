// wisenet synth: write the built-in synthetic instance segmentation dataset.
#include <iostream>
#include <memory>
#include <string>

#include "commands/command.h"
#include "wisenet/core/progress.h"
#include "wisenet/core/threads.h"
#include "wisenet/data/synthetic.h"

namespace wisenet::cli {
namespace {

struct SynthParams {
  SynthOptions options;
  std::string out;
  int threads = 0;
};

void run_synth(const SynthParams& params) {
  // Bad options fail before anything is drawn or written.
  validate_synth_options(params.options);
  set_threads(params.threads);
  ProgressBar bar("synth", params.options.images);
  const SynthSummary summary = write_synthetic_dataset(
      params.options, params.out, [&](int done, int /*total*/) { bar.update(done, "images"); });
  bar.finish("images");

  const auto categories = synthetic_categories(params.options.classes);
  int64_t objects = 0;
  for (int64_t n : summary.objects_per_class) objects += n;
  std::cout << "synthetic dataset: " << params.options.images << " images of "
            << params.options.size << "x" << params.options.size << " (" << summary.train_images
            << " train, " << summary.val_images << " val), " << objects << " objects, "
            << summary.distractors << " distractors\n";
  for (size_t k = 0; k < categories.size(); ++k) {
    std::cout << "  class " << categories[k].id << " " << categories[k].name << ": "
              << summary.objects_per_class[k] << " objects\n";
  }
  std::cout << "images: " << summary.image_dir << "\n"
            << "train:  " << summary.train_json << "\n"
            << "val:    " << summary.val_json << "\n";
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto params = std::make_shared<SynthParams>();
  CLI::App* command = app.add_subcommand(
      "synth",
      "Write the built-in synthetic dataset: DIR/images/*.png, DIR/train.json, DIR/val.json "
      "(COCO instances with RLE masks and one point per object)");
  command->add_option("--out", params->out, "Output folder (created when missing)")->required();
  command->add_option("--images", params->options.images, "Number of images")
      ->capture_default_str();
  command->add_option("--size", params->options.size, "Image side in pixels (>= 32)")
      ->capture_default_str();
  command
      ->add_option("--classes", params->options.classes,
                   "Object classes, 1..6: disc, square, triangle, star, ring, cross")
      ->capture_default_str();
  command->add_option("--seed", params->options.seed, "Random seed (same seed, same files)")
      ->capture_default_str();
  command
      ->add_option("--val-fraction", params->options.val_fraction,
                   "Share of the images written to val.json, in [0, 1)")
      ->capture_default_str();
  add_threads_option(command, &params->threads);
  command->callback([params] { run_synth(*params); });
}

}  // namespace wisenet::cli
