#pragma once
// `wisenet experiment budget`: at the same annotation time, points-only WISE-Net against the
// same networks trained on full masks (issue #5; the talk's PASCAL VOC result, repeatable on
// any dataset with masks).
//
// For every budget and seed: train L-Net then E-Net on the images the budget buys with points
// (--supervision points) and on the images it buys with masks (--supervision full), each for
// the same steps or minutes per stage; score both, and the L-Net + best-objectness baseline, on
// the validation set; then the proposal oracle once. Every run lives in
// OUT/runs/<budget>/seed<k>/<points|full>/ (train.json, loc/, emb/); OUT/state.json records
// what is done, so the same command again resumes at the next unfinished stage (a stage cut
// short continues from its last.ckpt). Writes OUT/budget.md and OUT/budget.png after every run.
//
// Training never sees the validation set: each stage's last checkpoint is scored (no
// best-on-validation selection).
#include <cstdint>
#include <iosfwd>
#include <string>

#include "wisenet/experiment/budget.h"

namespace wisenet {

struct BudgetExperimentOptions {
  std::string data;    // DATA.json: every annotation with a mask (points by the center
                       // rule where missing)
  std::string images;  // its images ("" = the path rule)
  std::string val;     // VAL.json with masks
  std::string val_images;
  std::string out;  // OUT folder
  AnnotationTiming timing;
  std::string budgets;  // "0.5h,1h" or "20,50" (point-labelled images)
  int seeds = 3;
  uint64_t seed = 0;  // the first seed; seeds are seed, seed + 1, ...
  // Per-run training, the same for both supervisions (pass-through to wisenet train).
  int64_t loc_steps = 500;  // 0 = bounded by minutes only
  int64_t emb_steps = 500;
  double loc_minutes = 0;  // > 0: also stop a stage after this long
  double emb_minutes = 0;
  std::string backbone = "small";
  std::string backbone_weights;
  int64_t batch_size = 1;
  double lr = 1e-3;
  bool hflip = true;
  int64_t val_limit = 0;  // score on the first N validation images (0 = all)
  std::string proposals;  // proposal cache ("" = OUT/proposals), shared by all runs
  int threads = 0;
  bool progress = true;  // training progress bars on stderr
  std::string command;   // the command line, for budget.md

  // Throws wisenet::Error naming the first bad option (without reading any file).
  void validate() const;
};

// Runs (or resumes) the experiment, one line per run on `log`. A Ctrl-C stops after the
// current training step, keeps what is done and throws wisenet::Error saying how to resume.
void run_budget_experiment(const BudgetExperimentOptions& options, std::ostream& log);

}  // namespace wisenet
