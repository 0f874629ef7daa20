#include "wisenet/train/both_stages.h"

#include <filesystem>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/json_fields.h"
#include "wisenet/train/stop_signal.h"

namespace wisenet {

namespace fs = std::filesystem;

namespace {

fs::path loc_dir(const fs::path& run) { return run / "loc"; }
fs::path emb_dir(const fs::path& run) { return run / "emb"; }
fs::path complete_mark(const fs::path& run) { return loc_dir(run) / "complete"; }

void check_local(const DistributedOptions& distributed) {
  if (distributed.world_size > 1) {
    throw Error(
        "train: a data-parallel run trains one stage at a time: --stage loc, then "
        "--stage emb --init LOC_RUN/best.ckpt");
  }
}

// Stage emb of a both-stages run in `run`, from loc's best.ckpt (last.ckpt without one).
TrainResult run_emb(const TrainOptions& options, const fs::path& run,
                    const DistributedOptions& distributed) {
  TrainOptions emb = options;
  emb.stage = TrainStage::kEmbedding;
  emb.out_dir = emb_dir(run).string();
  const fs::path best = loc_dir(run) / "best.ckpt";
  emb.init = fs::exists(best) ? best.string() : (loc_dir(run) / "last.ckpt").string();
  return train(emb, distributed);
}

// Loc's result: when it ended without a stop request, marks loc complete.
void after_loc(const fs::path& run) {
  if (!stop_requested()) write_file_atomic(complete_mark(run).string(), "");
}

TrainOptions loc_options(const TrainOptions& options, const fs::path& run) {
  TrainOptions loc = options;
  loc.stage = TrainStage::kLocalization;
  loc.out_dir = loc_dir(run).string();
  loc.enet_from_lnet = false;
  return loc;
}

}  // namespace

std::string BothStagesResult::model_checkpoint() const {
  if (!emb) return "";
  return emb->best_checkpoint.empty() ? emb->last_checkpoint : emb->best_checkpoint;
}

BothStagesResult train_both(const TrainOptions& options, const DistributedOptions& distributed) {
  if (options.stage != TrainStage::kBoth) throw Error("train_both: the stage must be both");
  options.validate();
  check_local(distributed);
  const fs::path run(options.out_dir);
  // A single-stage run there (last.ckpt) is refused too: its options.json would be replaced.
  if (is_both_stages_run(run.string()) || fs::exists(loc_dir(run) / "last.ckpt") ||
      fs::exists(run / "last.ckpt")) {
    throw Error(options.out_dir, "already holds a run; continue it with --resume " +
                                     options.out_dir + " or choose another --out");
  }
  std::error_code ec;
  fs::create_directories(run, ec);
  if (ec || !fs::is_directory(run)) {
    throw Error(options.out_dir, "cannot create the run folder: " + ec.message());
  }
  const fs::path options_path = run / "options.json";
  write_file_atomic(options_path.string(), train_options_to_json(options).dump(2) + "\n");
  BothStagesResult result;
  try {
    result.loc = train(loc_options(options, run), distributed);
  } catch (...) {
    // Bad input (a missing file, a malformed JSON) fails before loc's first checkpoint: leave
    // no run behind that --resume or a new train would trip over.
    if (!fs::exists(loc_dir(run) / "last.ckpt")) {
      fs::remove(options_path, ec);
      fs::remove(loc_dir(run), ec);  // only when empty
    }
    throw;
  }
  after_loc(run);
  if (stop_requested()) return result;
  result.emb = run_emb(options, run, distributed);
  return result;
}

bool is_both_stages_run(const std::string& run_dir) {
  const fs::path path = fs::path(run_dir) / "options.json";
  if (!fs::exists(path)) return false;
  const nlohmann::json json = json_fields::parse(read_file(path.string()), path.string());
  return json.is_object() && json.value("stage", std::string()) == "both";
}

BothStagesResult resume_both(const std::string& run_dir, const std::string& overrides_json,
                             const DistributedOptions& distributed) {
  check_local(distributed);
  const fs::path run(run_dir), options_path = run / "options.json";
  if (!is_both_stages_run(run_dir)) {
    throw Error(run_dir, "holds no stage-both run (options.json with \"stage\": \"both\")");
  }
  TrainOptions options;
  merge_train_options(json_fields::parse(read_file(options_path.string()), options_path.string()),
                      options_path.string(), options);
  merge_train_options(json_fields::parse(overrides_json, "command line"), "command line", options);
  options.out_dir = run_dir;
  options.stage = TrainStage::kBoth;
  options.validate();
  BothStagesResult result;
  if (fs::exists(emb_dir(run) / "last.ckpt")) {
    result.emb = resume_training(emb_dir(run).string(), overrides_json, distributed);
    return result;
  }
  if (!fs::exists(complete_mark(run))) {
    result.loc = fs::exists(loc_dir(run) / "last.ckpt")
                     ? resume_training(loc_dir(run).string(), overrides_json, distributed)
                     : train(loc_options(options, run), distributed);
    after_loc(run);
    if (stop_requested()) return result;
  }
  result.emb = run_emb(options, run, distributed);
  return result;
}

}  // namespace wisenet
