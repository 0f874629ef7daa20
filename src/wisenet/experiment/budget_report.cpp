#include "wisenet/experiment/budget_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/viz/plot.h"

namespace wisenet {

namespace {

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

std::string count_text(int64_t used, int64_t bought) {
  if (used == bought) return std::to_string(used);
  return std::to_string(used) + " (capped: " + std::to_string(bought) + " bought)";
}

// The scores of `method` over the evaluated seeds of budget `b`.
std::vector<MethodScore> scores_of(const BudgetReport& report, const BudgetState& state, size_t b,
                                   const BudgetMethod& method) {
  std::vector<MethodScore> out;
  for (const PlannedRun& run : report.runs) {
    if (run.budget != b || run.supervision != method.supervision) continue;
    const RunRecord* record = state.find(run.id);
    if (!record || !record->done) continue;
    const auto it = record->scores.find(method.key);
    if (it != record->scores.end()) out.push_back(it->second);
  }
  return out;
}

}  // namespace

Spread spread_of(const std::vector<double>& values) {
  Spread s;
  s.n = values.size();
  if (values.empty()) return s;
  for (double v : values) s.mean += v;
  s.mean /= static_cast<double>(values.size());
  if (values.size() > 1) {
    double sum = 0;
    for (double v : values) sum += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(sum / static_cast<double>(values.size() - 1));
  }
  return s;
}

std::string budget_markdown(const BudgetReport& report, const BudgetState& state) {
  std::ostringstream md;
  md << "# Fixed annotation budget: points against full masks\n\n";
  if (!report.command.empty()) md << "```sh\n" << report.command << "\n```\n\n";
  md << "Annotation time: " << fixed(report.timing.seconds_per_point_image, 1)
     << " s per point-labelled image, " << fixed(report.timing.seconds_per_mask_image, 1)
     << " s per fully masked image. " << report.training_images << " training images available, "
     << report.validation_images
     << " validation images evaluated (mask AP, pycocotools' definition, maxDets 100). "
     << "Values are the mean ± the sample standard deviation (n - 1) over the seeds evaluated "
     << "(column `seeds`); each seed draws its own images and initialises its own weights.\n\n";
  md << "| budget | hours | point images | mask images | method | AP50 | AP | seeds |\n"
     << "|---|---|---|---|---|---|---|---|\n";
  for (size_t b = 0; b < report.budgets.size(); ++b) {
    const BudgetImages& im = report.images[b];
    for (const BudgetMethod& method : budget_methods()) {
      md << "| " << report.budgets[b].text << " | " << fixed(im.hours, 3) << " | "
         << count_text(im.point_images, im.point_images_bought) << " | "
         << count_text(im.mask_images, im.mask_images_bought) << " | " << method.label << " | ";
      const int64_t images =
          method.supervision == Supervision::kPoints ? im.point_images : im.mask_images;
      const std::vector<MethodScore> scores = scores_of(report, state, b, method);
      if (images < 1) {
        md << "— | — | 0 (the budget buys no image) |\n";
        continue;
      }
      if (scores.empty()) {
        md << "… | … | 0 of " << report.seeds << " |\n";
        continue;
      }
      std::vector<double> ap50, ap;
      for (const MethodScore& s : scores) {
        ap50.push_back(s.ap50);
        ap.push_back(s.ap);
      }
      const Spread a50 = spread_of(ap50), a = spread_of(ap);
      md << fixed(a50.mean, 3) << " ± " << fixed(a50.std, 3) << " | " << fixed(a.mean, 3) << " ± "
         << fixed(a.std, 3) << " | " << scores.size();
      if (static_cast<int>(scores.size()) < report.seeds) md << " of " << report.seeds;
      md << " |\n";
    }
  }
  md << "\n";
  if (state.oracle) {
    md << "Proposal oracle (each ground-truth point's chosen proposal, scored by objectness; "
          "an upper bound of the pseudo-masks, independent of the budget): AP50 "
       << fixed(state.oracle->ap50, 3) << ", AP " << fixed(state.oracle->ap, 3) << ".\n\n";
  }
  md << "Images per budget are a seeded random draw from the training set, nested: for one "
        "seed a smaller budget's images are among a larger one's, and the mask images among "
        "the point images. `capped` means the budget pays for more images than exist.\n";
  return md.str();
}

void write_budget_report(const std::string& out_dir, const BudgetReport& report,
                         const BudgetState& state) {
  const std::filesystem::path dir(out_dir);
  write_file_atomic((dir / "budget.md").string(), budget_markdown(report, state));
  Panel panel;
  panel.title = "mask AP50 (mean over seeds) vs annotation time";
  panel.x_label = "annotation hours";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const BudgetMethod& method : budget_methods()) {
    std::vector<std::pair<double, double>> points;  // (hours, mean AP50), drawn by hours
    for (size_t b = 0; b < report.budgets.size(); ++b) {
      std::vector<double> ap50;
      for (const MethodScore& s : scores_of(report, state, b, method)) ap50.push_back(s.ap50);
      if (ap50.empty()) continue;
      points.emplace_back(report.images[b].hours, spread_of(ap50).mean);
      lo = std::min(lo, report.images[b].hours);
      hi = std::max(hi, report.images[b].hours);
    }
    std::sort(points.begin(), points.end());
    Series series;
    series.name = method.short_label;
    for (const auto& [x, y] : points) {
      series.x.push_back(x);
      series.y.push_back(y);
    }
    panel.series.push_back(std::move(series));
  }
  if (state.oracle && std::isfinite(lo)) {
    panel.series.push_back({"oracle", {lo, hi}, {state.oracle->ap50, state.oracle->ap50}});
  }
  save_png((dir / "budget.png").string(), plot_panels({panel}, 640, 420));
}

}  // namespace wisenet
