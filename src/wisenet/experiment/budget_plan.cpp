#include "wisenet/experiment/budget_plan.h"

#include <algorithm>
#include <set>

#include "wisenet/core/error.h"

namespace wisenet {

const std::vector<BudgetMethod>& budget_methods() {
  static const std::vector<BudgetMethod> methods = {
      {"points-embedding", "WISE-Net, points (embedding)", "pts embedding", Supervision::kPoints,
       PredictionMode::kEmbedding},
      {"points-best-dice", "WISE-Net, points (best-dice)", "pts best-dice", Supervision::kPoints,
       PredictionMode::kBestDice},
      {"points-best-objectness", "LCFCN + proposals, points (best-objectness)", "pts best-obj",
       Supervision::kPoints, PredictionMode::kBestObjectness},
      {"full-embedding", "Full masks (embedding)", "full embedding", Supervision::kFull,
       PredictionMode::kEmbedding},
      {"full-best-dice", "Full masks (best-dice)", "full best-dice", Supervision::kFull,
       PredictionMode::kBestDice},
  };
  return methods;
}

std::vector<PlannedRun> plan_budget_runs(const std::vector<Budget>& budgets,
                                         const AnnotationTiming& timing, size_t dataset_size,
                                         int seeds, uint64_t base_seed) {
  if (seeds < 1) throw Error("--seeds must be >= 1, got " + std::to_string(seeds));
  std::vector<PlannedRun> runs;
  for (size_t b = 0; b < budgets.size(); ++b) {
    const BudgetImages bought =
        images_for_budget(budgets[b], timing, static_cast<int64_t>(dataset_size));
    for (int s = 0; s < seeds; ++s) {
      const uint64_t seed = base_seed + static_cast<uint64_t>(s);
      for (const Supervision supervision : {Supervision::kPoints, Supervision::kFull}) {
        const int64_t n =
            supervision == Supervision::kPoints ? bought.point_images : bought.mask_images;
        if (n < 1) continue;
        PlannedRun run;
        run.id =
            budgets[b].text + "/seed" + std::to_string(seed) + "/" + supervision_name(supervision);
        run.budget = b;
        run.seed_index = s;
        run.seed = seed;
        run.supervision = supervision;
        run.images = images_bought(dataset_size, n, seed);
        runs.push_back(std::move(run));
      }
    }
  }
  return runs;
}

CocoDataset run_training_set(const CocoDataset& dataset, const std::vector<size_t>& images,
                             Supervision supervision) {
  CocoDataset out;
  out.categories = dataset.categories;
  std::vector<size_t> sorted = images;
  std::sort(sorted.begin(), sorted.end());
  std::set<int64_t> ids;
  for (size_t i : sorted) {
    out.images.push_back(dataset.images.at(i));
    ids.insert(dataset.images[i].id);
  }
  for (const Annotation& a : dataset.annotations) {
    if (!ids.count(a.image_id)) continue;
    Annotation kept = a;
    if (supervision == Supervision::kPoints) {
      if (!a.instance.point) {
        throw Error(dataset.source, "annotation " + std::to_string(a.instance.id) +
                                        " has no point to keep for a points run");
      }
      kept.has_mask = false;
      kept.instance.mask = Rle();
      kept.instance.bbox = {0, 0, 0, 0};
      kept.instance.area = 0;
    }
    out.annotations.push_back(std::move(kept));
  }
  return out;
}

}  // namespace wisenet
