#include "wisenet/experiment/budget_experiment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/synthetic.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A tiny experiment: 16 synthetic 64x64 images, budget "6" (6 point images = 120 s = 2 mask
// images at 60 s), one seed, 3 steps a stage, scored on 3 validation images.
BudgetExperimentOptions tiny_experiment(const fs::path& dir) {
  SynthOptions synth;
  synth.images = 16;
  synth.size = 64;
  synth.classes = 1;
  synth.max_objects = 4;
  synth.seed = 2;
  const SynthSummary data = write_synthetic_dataset(synth, (dir / "data").string());
  BudgetExperimentOptions o;
  o.data = data.train_json;
  o.val = data.val_json;
  o.out = (dir / "out").string();
  o.timing.seconds_per_mask_image = 60;
  o.budgets = "6";
  o.seeds = 1;
  o.loc_steps = 3;
  o.emb_steps = 3;
  o.val_limit = 3;
  o.threads = 2;
  o.progress = false;
  return o;
}

TEST(BudgetExperiment, ResumeSkipsFinishedRunsAndRedoesOnlyTheUnfinishedStage) {
  const fs::path dir = test::temp_dir("budget_experiment");
  const BudgetExperimentOptions o = tiny_experiment(dir);
  std::ostringstream first;
  run_budget_experiment(o, first);
  EXPECT_EQ(count_of(first.str(), ": training"), 2) << first.str();  // points and full
  const fs::path out(o.out);
  ASSERT_TRUE(fs::exists(out / "budget.md"));
  ASSERT_TRUE(fs::exists(out / "budget.png"));
  const std::string md = read_file((out / "budget.md").string());
  EXPECT_NE(md.find("| 6 | 0.033 | 6 | 2 | WISE-Net, points (embedding) |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("Proposal oracle"), std::string::npos);
  const auto full_ckpt = out / "runs" / "6" / "seed0" / "full" / "emb" / "last.ckpt";
  const auto points_ckpt = out / "runs" / "6" / "seed0" / "points" / "emb" / "last.ckpt";
  ASSERT_TRUE(fs::exists(full_ckpt));
  EXPECT_FALSE(fs::exists(out / "runs" / "6" / "seed0" / "full" / "emb" / "proposals"));
  const auto full_time = fs::last_write_time(full_ckpt);

  // Again: everything is skipped, nothing is retrained.
  std::ostringstream second;
  run_budget_experiment(o, second);
  EXPECT_EQ(count_of(second.str(), "done before, skipped"), 2) << second.str();
  EXPECT_EQ(count_of(second.str(), ": training"), 0);
  EXPECT_EQ(fs::last_write_time(full_ckpt), full_time);

  // As if killed during the points run's E-Net: only that run is taken up again, from its
  // last.ckpt (the finished full run is not touched).
  nlohmann::json state = nlohmann::json::parse(read_file((out / "state.json").string()));
  auto& points = state["runs"]["6/seed0/points"];
  points["emb_done"] = false;
  points["done"] = false;
  points["scores"] = nlohmann::json::object();
  write_file_atomic((out / "state.json").string(), state.dump());
  std::ostringstream third;
  run_budget_experiment(o, third);
  EXPECT_EQ(count_of(third.str(), "done before, skipped"), 1) << third.str();
  EXPECT_EQ(count_of(third.str(), "[run 1/2] 6/seed0/points (6 images): training"), 1);
  EXPECT_EQ(fs::last_write_time(full_ckpt), full_time);
  EXPECT_TRUE(fs::exists(points_ckpt));
  state = nlohmann::json::parse(read_file((out / "state.json").string()));
  EXPECT_TRUE(state["runs"]["6/seed0/points"]["done"].get<bool>());

  // Another experiment in the same folder is refused, naming what differs.
  BudgetExperimentOptions other = o;
  other.lr = 5e-4;
  const std::string message = test::error_of([&] {
    std::ostringstream sink;
    run_budget_experiment(other, sink);
  });
  EXPECT_NE(message.find("lr"), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(BudgetExperiment, BadOptionsAreErrorsBeforeAnyFileIsRead) {
  BudgetExperimentOptions o;
  o.data = "missing.json";
  o.val = "missing.json";
  o.out = "unused";
  o.budgets = "";
  std::ostringstream sink;
  EXPECT_NE(test::error_of([&] { run_budget_experiment(o, sink); }).find("--budgets"),
            std::string::npos);
  o.budgets = "1h";
  o.loc_steps = 0;
  EXPECT_NE(test::error_of([&] { run_budget_experiment(o, sink); }).find("--loc-steps"),
            std::string::npos);
  EXPECT_FALSE(fs::exists("unused"));
}

TEST(ExperimentCli, BadOptionsGiveOneLineErrors) {
  const std::string base =
      "experiment budget --data nowhere.json --val nowhere.json --out /nonexistent/out ";
  for (const std::string& bad :
       {std::string("--budgets ''"), std::string("--budgets 1h --seconds-per-point-image -5"),
        std::string("--budgets 1h --seconds-per-mask-image 0"), std::string("--budgets 1h,abc"),
        std::string("--budgets 1h --seeds 0")}) {
    const test::CommandResult r = test::run_cli(base + bad);
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_EQ(test::count_lines(r.err), 1) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  }
  const test::CommandResult help = test::run_cli("experiment budget --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--seconds-per-mask-image"), std::string::npos);
  EXPECT_NE(help.out.find("239.7"), std::string::npos);
}

}  // namespace
}  // namespace wisenet
