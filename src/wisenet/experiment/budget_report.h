#pragma once
// The fixed-budget experiment's report: OUT/budget.md (a table: budget, images, AP50 and AP of
// every method as mean ± sample standard deviation over the seeds evaluated so far) and
// OUT/budget.png (mean AP50 against annotation hours, one line per method, the proposal oracle
// as a flat line). Rewritten after every run, so a partial experiment shows what it has.
#include <string>
#include <vector>

#include "wisenet/experiment/budget.h"
#include "wisenet/experiment/budget_plan.h"
#include "wisenet/experiment/budget_state.h"

namespace wisenet {

struct BudgetReport {
  std::string command;  // the command line, quoted in budget.md
  AnnotationTiming timing;
  std::vector<Budget> budgets;
  std::vector<BudgetImages> images;  // per budget
  int seeds = 0;
  int64_t training_images = 0;    // in DATA.json
  int64_t validation_images = 0;  // evaluated
  std::vector<PlannedRun> runs;
};

// Mean and sample standard deviation (n - 1; 0 for one value) of `values`.
struct Spread {
  double mean = 0;
  double std = 0;
  size_t n = 0;
};
Spread spread_of(const std::vector<double>& values);

// The markdown of budget.md.
std::string budget_markdown(const BudgetReport& report, const BudgetState& state);

// Writes OUT/budget.md and OUT/budget.png atomically.
void write_budget_report(const std::string& out_dir, const BudgetReport& report,
                         const BudgetState& state);

}  // namespace wisenet
