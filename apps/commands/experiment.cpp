// wisenet experiment budget: points against full masks at the same annotation time (issue #5).
// Parses the options, calls run_budget_experiment, reports; the logic is in
// src/wisenet/experiment/.
#include <cstdint>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "commands/command.h"
#include "wisenet/experiment/budget_experiment.h"

namespace wisenet::cli {
namespace {

// The command line as typed, shell-quoted where needed, for budget.md.
std::string command_line(int argc, char** argv) {
  std::ostringstream out;
  out << "wisenet";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_./,=:+@%") == std::string::npos;
    out << ' ' << (plain ? a : "'" + a + "'");
  }
  return out.str();
}

}  // namespace

void add_experiment_command(CLI::App& app, int argc, char** argv) {
  CLI::App* experiment = app.add_subcommand(
      "experiment", "Measured, repeatable experiments (budget: points against full masks)");
  experiment->require_subcommand(1);
  auto o = std::make_shared<BudgetExperimentOptions>();
  CLI::App* budget = experiment->add_subcommand(
      "budget",
      "At the same annotation time, train points-only WISE-Net on the images a budget buys with "
      "points and the same networks on the fewer images it buys with full masks; score both, "
      "the L-Net + best-objectness baseline and the proposal oracle on VAL.json over several "
      "seeds; write OUT/budget.md and OUT/budget.png. Re-running the same command resumes.");
  budget->add_option("--data", o->data, "Training pool: COCO JSON with a mask on every object")
      ->required();
  budget->add_option("--images", o->images, "Folder of its images (default: the JSON's rule)");
  budget->add_option("--val", o->val, "Validation set: COCO JSON with masks")->required();
  budget->add_option("--val-images", o->val_images, "Folder of the validation images");
  budget->add_option("--out", o->out, "Output folder (runs/, state.json, budget.md, budget.png)")
      ->required();
  budget
      ->add_option("--budgets", o->budgets,
                   "Comma-separated budgets: hours with an h (0.5h,1h) or numbers of "
                   "point-labelled images (20,50 = 20 and 50 images at --seconds-per-point-image "
                   "each). H hours buy floor(H*3600/s_point) point images and "
                   "floor(H*3600/s_mask) mask images, a seeded draw from DATA (nested: the mask "
                   "images are among the point images, a smaller budget's among a larger's)")
      ->required();
  budget
      ->add_option("--seconds-per-point-image", o->timing.seconds_per_point_image,
                   "Annotation time of one point-labelled image (Bearman et al.)")
      ->capture_default_str();
  budget
      ->add_option("--seconds-per-mask-image", o->timing.seconds_per_mask_image,
                   "Annotation time of one fully masked image (Bearman et al.)")
      ->capture_default_str();
  budget->add_option("--seeds", o->seeds, "Repeats per budget (image draw and weights)")
      ->capture_default_str();
  budget->add_option("--seed", o->seed, "First seed (then seed+1, ...)")->capture_default_str();
  budget->add_option("--loc-steps", o->loc_steps, "L-Net steps per run (0 = by minutes only)")
      ->capture_default_str();
  budget->add_option("--emb-steps", o->emb_steps, "E-Net steps per run (0 = by minutes only)")
      ->capture_default_str();
  budget->add_option("--loc-minutes", o->loc_minutes, "Also stop L-Net after this long (0 = off)")
      ->capture_default_str();
  budget->add_option("--emb-minutes", o->emb_minutes, "Also stop E-Net after this long (0 = off)")
      ->capture_default_str();
  budget->add_option("--backbone", o->backbone, "small | resnet18 | resnet34 | resnet50")
      ->capture_default_str();
  budget->add_option("--backbone-weights", o->backbone_weights,
                     "torchvision ImageNet state dict (.pth) for a ResNet backbone");
  budget->add_option("--batch-size", o->batch_size, "Images per optimiser step")
      ->capture_default_str();
  budget->add_option("--lr", o->lr, "Adam learning rate (cosine decay over each stage)")
      ->capture_default_str();
  budget->add_flag("--hflip,!--no-hflip", o->hflip, "Random horizontal flips (default: on)");
  budget
      ->add_option("--val-limit", o->val_limit, "Score on the first N validation images (0 = all)")
      ->capture_default_str();
  budget->add_option("--proposals", o->proposals,
                     "Proposal cache folder shared by all runs (default: OUT/proposals)");
  budget->add_flag_function(
      "--quiet", [o](std::int64_t) { o->progress = false; },
      "No progress bars (the one line per run stays)");
  add_threads_option(budget, &o->threads);
  const std::string command = command_line(argc, argv);
  budget->callback([o, command] {
    o->command = command;
    run_budget_experiment(*o, std::cout);
  });
}

}  // namespace wisenet::cli
