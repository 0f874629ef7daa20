#pragma once
// Stage both (`wisenet train`'s default): L-Net with the LCFCN loss into RUN_DIR/loc, then the
// E-Net with the similarity loss into RUN_DIR/emb, started from loc's best.ckpt (its last.ckpt
// without validation). Each stage is a whole run of train() (trainer.h) with the same options
// and budget; RUN_DIR/options.json records the request, RUN_DIR/loc/complete marks a finished
// loc stage, so that a resume knows where to go on.
// Usage:
//   TrainOptions o; o.stage = TrainStage::kBoth; o.out_dir = "run"; ...
//   BothStagesResult r = train_both(o);     // or resume_both("run", overrides)
//   r.model_checkpoint();                   // the model to predict with
#include <optional>
#include <string>

#include "wisenet/train/trainer.h"

namespace wisenet {

struct BothStagesResult {
  std::optional<TrainResult> loc;  // absent when a resume found loc already complete
  std::optional<TrainResult> emb;  // absent when loc was stopped by a signal
  // emb's best.ckpt, else its last.ckpt; empty when emb did not run.
  std::string model_checkpoint() const;
};

// Runs loc then emb into options.out_dir (options.stage must be kBoth). A stop by SIGINT or
// SIGTERM during loc ends the run after loc's checkpoint; emb is not started. options.init
// starts the loc stage; enet_from_lnet applies to emb. Distributed runs go one stage at a time
// (--stage loc, then --stage emb --init), so world_size > 1 is an error here. A folder that
// already holds a run (of both stages or of one) is an error that suggests --resume.
BothStagesResult train_both(const TrainOptions& options,
                            const DistributedOptions& distributed = {});

// Whether run_dir/options.json records a stage-both run.
bool is_both_stages_run(const std::string& run_dir);

// Continues a stage-both run: emb from its last.ckpt when it has one; else loc from its
// last.ckpt unless complete, then emb from the start. `overrides` (JSON, as the config file)
// apply to the stage(s) run.
BothStagesResult resume_both(const std::string& run_dir, const std::string& overrides_json = "{}",
                             const DistributedOptions& distributed = {});

}  // namespace wisenet
