#pragma once
// The runs of a fixed-budget experiment: for every budget and seed, one points-only WISE-Net
// run on the images the budget buys with points, and one fully supervised run on the (fewer)
// images it buys with masks (none when it buys no mask image). The training set of a run is
// written as a COCO JSON of those images: point labels only for a points run (masks removed,
// so nothing of them can leak in), masks and points for a full run.
#include <cstdint>
#include <string>
#include <vector>

#include "wisenet/data/coco_json.h"
#include "wisenet/experiment/budget.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/train/supervision.h"

namespace wisenet {

struct PlannedRun {
  std::string id;      // "<budget>/seed<k>/<points|full>", also its folder under runs/
  size_t budget = 0;   // index into the budgets
  int seed_index = 0;  // 0..seeds-1
  uint64_t seed = 0;   // image draw and training seed
  Supervision supervision = Supervision::kPoints;
  std::vector<size_t> images;  // indices into the dataset, in draw order
};

// What the experiment scores: each method is one prediction mode of the points or the full
// run of a (budget, seed). `points-best-objectness` is the LCFCN + proposals baseline (L-Net's
// blobs, each given its top proposal); the E-Net is not used by it.
struct BudgetMethod {
  const char* key;          // in state.json and budget.md
  const char* label;        // in budget.md
  const char* short_label;  // in budget.png's legend
  Supervision supervision;
  PredictionMode mode;
};
const std::vector<BudgetMethod>& budget_methods();

// Runs in the order they are done: budget by budget, seed by seed, points then full. Runs
// that would have no image (a budget buying no mask image) are left out. seeds >= 1.
std::vector<PlannedRun> plan_budget_runs(const std::vector<Budget>& budgets,
                                         const AnnotationTiming& timing, size_t dataset_size,
                                         int seeds, uint64_t base_seed);

// The training set of a run: `images` of `dataset` (in dataset order) with their annotations;
// for Supervision::kPoints every annotation keeps only its point (each must have one: read
// the dataset with PointRule::kCenter), otherwise it keeps its mask and point.
CocoDataset run_training_set(const CocoDataset& dataset, const std::vector<size_t>& images,
                             Supervision supervision);

}  // namespace wisenet
