#include "wisenet/experiment/budget_experiment.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/core/threads.h"
#include "wisenet/data/dataset.h"
#include "wisenet/experiment/budget_evaluation.h"
#include "wisenet/experiment/budget_plan.h"
#include "wisenet/experiment/budget_report.h"
#include "wisenet/experiment/budget_state.h"
#include "wisenet/train/stop_signal.h"
#include "wisenet/train/trainer.h"

namespace wisenet {

namespace fs = std::filesystem;
using nlohmann::json;

void BudgetExperimentOptions::validate() const {
  if (data.empty()) throw Error("experiment budget: no training set given (--data DATA.json)");
  if (val.empty()) throw Error("experiment budget: no validation set given (--val VAL.json)");
  if (out.empty()) throw Error("experiment budget: no output folder given (--out DIR)");
  timing.validate();
  parse_budgets(budgets, timing);
  if (seeds < 1) throw Error("--seeds must be >= 1, got " + std::to_string(seeds));
  if (loc_steps < 0 || emb_steps < 0) throw Error("--loc-steps and --emb-steps must be >= 0");
  if (loc_minutes < 0 || emb_minutes < 0) {
    throw Error("--loc-minutes and --emb-minutes must be >= 0");
  }
  if (loc_steps == 0 && loc_minutes <= 0) {
    throw Error("--loc-steps 0 needs --loc-minutes > 0 (a stage must end)");
  }
  if (emb_steps == 0 && emb_minutes <= 0) {
    throw Error("--emb-steps 0 needs --emb-minutes > 0 (a stage must end)");
  }
  if (batch_size < 1) throw Error("--batch-size must be >= 1");
  if (!(lr > 0)) throw Error("--lr must be > 0");
  if (val_limit < 0) throw Error("--val-limit must be >= 0");
  if (threads < 0) throw Error("--threads must be >= 0");
}

namespace {

// Every option that changes a result; threads, progress and the proposal cache folder do not.
json fingerprint_of(const BudgetExperimentOptions& o) {
  return {{"data", fs::absolute(o.data).lexically_normal().string()},
          {"images", o.images},
          {"val", fs::absolute(o.val).lexically_normal().string()},
          {"val_images", o.val_images},
          {"seconds_per_point_image", o.timing.seconds_per_point_image},
          {"seconds_per_mask_image", o.timing.seconds_per_mask_image},
          {"budgets", o.budgets},
          {"seeds", o.seeds},
          {"seed", o.seed},
          {"loc_steps", o.loc_steps},
          {"emb_steps", o.emb_steps},
          {"loc_minutes", o.loc_minutes},
          {"emb_minutes", o.emb_minutes},
          {"backbone", o.backbone},
          {"backbone_weights", o.backbone_weights},
          {"batch_size", o.batch_size},
          {"lr", o.lr},
          {"hflip", o.hflip},
          {"val_limit", o.val_limit}};
}

// The folder of DATA.json's images, so that the runs' training sets (written elsewhere) find
// them.
std::string image_folder(const CocoDataset& data, const std::string& images) {
  if (!images.empty()) return images;
  const ImageInfo& first = data.images.front();
  const std::string path = resolve_image_path(data, first, "");
  std::string folder = path.substr(0, path.size() - first.file_name.size());
  return folder.empty() ? "." : folder;
}

void check_interrupt() {
  if (stop_requested()) {
    throw Error("experiment interrupted; run the same command again to resume where it stopped");
  }
}

// Trains one stage into `dir`: resumes from its last.ckpt when there is one.
void train_stage(TrainOptions options, const std::string& dir) {
  options.out_dir = dir;
  if (fs::exists(fs::path(dir) / "last.ckpt")) {
    resume_training(dir);
  } else {
    train(options);
  }
  check_interrupt();
}

}  // namespace

void run_budget_experiment(const BudgetExperimentOptions& o, std::ostream& log) {
  o.validate();
  set_threads(o.threads);
  install_stop_handlers();
  reset_stop_request();
  const auto start = std::chrono::steady_clock::now();
  fs::create_directories(o.out);

  CocoReadOptions read;
  read.point_rule = PointRule::kCenter;
  const CocoDataset data = read_coco(o.data, read);
  if (data.images.empty()) throw Error(o.data, "the dataset has no images");
  for (const Annotation& a : data.annotations) {
    if (!a.has_mask) {
      throw Error(o.data, "annotation " + std::to_string(a.instance.id) +
                              " has no mask: the budget experiment needs masks on every object "
                              "(the points are kept, or made by the center rule)");
    }
  }
  const std::string images_dir = image_folder(data, o.images);
  const ValidationSet val = load_validation_set(o.val, o.val_images, o.val_limit);

  BudgetReport report;
  report.command = o.command;
  report.timing = o.timing;
  report.budgets = parse_budgets(o.budgets, o.timing);
  for (const Budget& b : report.budgets) {
    report.images.push_back(
        images_for_budget(b, o.timing, static_cast<int64_t>(data.images.size())));
  }
  report.seeds = o.seeds;
  report.training_images = static_cast<int64_t>(data.images.size());
  report.validation_images = static_cast<int64_t>(val.ground_truth.images.size());
  report.runs = plan_budget_runs(report.budgets, o.timing, data.images.size(), o.seeds, o.seed);

  BudgetState state =
      BudgetState::open((fs::path(o.out) / "state.json").string(), fingerprint_of(o));
  const std::string proposals_dir =
      o.proposals.empty() ? (fs::path(o.out) / "proposals").string() : o.proposals;
  const ProposalCache cache(proposals_dir, ProposalOptions{});

  log << "budget experiment: " << report.runs.size() << " runs (" << report.budgets.size()
      << " budgets x " << o.seeds << " seeds, points and full), " << data.images.size()
      << " training images, " << val.ground_truth.images.size() << " validation images\n";
  for (size_t b = 0; b < report.budgets.size(); ++b) {
    const BudgetImages& im = report.images[b];
    char line[256];
    std::snprintf(line, sizeof line,
                  "  budget %s = %.3f h: %lld point images%s, %lld mask images%s\n",
                  report.budgets[b].text.c_str(), im.hours, static_cast<long long>(im.point_images),
                  im.points_capped() ? " (capped)" : "", static_cast<long long>(im.mask_images),
                  im.masks_capped() ? " (capped)" : "");
    log << line;
  }
  log.flush();

  if (!state.oracle) {
    prepare_validation_proposals(val, cache, o.threads, o.progress);
    check_interrupt();
    state.oracle = evaluate_proposal_oracle(val, cache);
    state.save();
  }
  log << "proposal oracle on the validation set: AP50 " << state.oracle->ap50 << ", AP "
      << state.oracle->ap << "\n";
  write_budget_report(o.out, report, state);

  const size_t total = report.runs.size();
  double run_seconds = 0;
  size_t runs_timed = 0;
  for (size_t k = 0; k < total; ++k) {
    const PlannedRun& run = report.runs[k];
    char head[160];
    std::snprintf(head, sizeof head, "[run %zu/%zu] %s (%zu images)", k + 1, total, run.id.c_str(),
                  run.images.size());
    RunRecord& record = state.run(run.id);
    if (record.done) {
      log << head << ": done before, skipped\n";
      continue;
    }
    log << head << ": training\n";
    log.flush();
    const auto run_start = std::chrono::steady_clock::now();
    const fs::path dir = fs::path(o.out) / "runs" / run.id;
    fs::create_directories(dir);
    const std::string train_json = (dir / "train.json").string();
    write_coco(run_training_set(data, run.images, run.supervision), train_json);

    TrainOptions t;
    t.supervision = run.supervision;
    t.train_json = train_json;
    t.image_dir = images_dir;
    t.model.backbone = o.backbone;
    t.model.backbone_weights = o.backbone_weights;
    t.proposals_dir = proposals_dir;
    t.lr = o.lr;
    t.batch_size = o.batch_size;
    t.hflip = o.hflip;
    t.seed = run.seed;
    t.threads = o.threads;
    t.progress = o.progress;
    t.epochs = 1000000;  // the stage ends by steps or minutes
    if (!record.loc_done) {
      TrainOptions loc = t;
      loc.stage = TrainStage::kLocalization;
      loc.max_steps = o.loc_steps;
      loc.max_minutes = o.loc_minutes;
      train_stage(loc, (dir / "loc").string());
      record.loc_done = true;
      state.save();
    }
    if (!record.emb_done) {
      TrainOptions emb = t;
      emb.stage = TrainStage::kEmbedding;
      emb.init = (dir / "loc" / "last.ckpt").string();
      emb.max_steps = o.emb_steps;
      emb.max_minutes = o.emb_minutes;
      train_stage(emb, (dir / "emb").string());
      record.emb_done = true;
      state.save();
    }
    std::vector<std::pair<std::string, PredictionMode>> modes;
    for (const BudgetMethod& m : budget_methods()) {
      if (m.supervision == run.supervision) modes.emplace_back(m.key, m.mode);
    }
    record.scores =
        evaluate_checkpoint((dir / "emb" / "last.ckpt").string(), val, cache, modes, o.progress);
    check_interrupt();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
    record.seconds += seconds;
    record.done = true;
    state.save();
    write_budget_report(o.out, report, state);
    run_seconds += seconds;
    ++runs_timed;
    std::string scores;
    for (const auto& [key, s] : record.scores) {
      char text[96];
      std::snprintf(text, sizeof text, "%s%s AP50 %.3f AP %.3f", scores.empty() ? "" : ", ",
                    key.c_str(), s.ap50, s.ap);
      scores += text;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta =
        run_seconds / static_cast<double>(runs_timed) * static_cast<double>(total - k - 1);
    log << head << ": " << scores << " (" << format_duration(seconds) << "; elapsed "
        << format_duration(elapsed) << ", about " << format_duration(eta) << " left)\n";
    log.flush();
  }
  write_budget_report(o.out, report, state);
  log << "report: " << (fs::path(o.out) / "budget.md").string() << ", "
      << (fs::path(o.out) / "budget.png").string() << "\n";
}

}  // namespace wisenet
