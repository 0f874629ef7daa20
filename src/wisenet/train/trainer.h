#pragma once
// The training loop: one stage (loc: L-Net with the LCFCN loss; emb: E-Net with the
// similarity loss) over a dataset, with seeded order and augmentation, periodic validation,
// best/last checkpoints, a CSV log, curves.png, resume, and a clean stop on SIGINT/SIGTERM.
//
// Usage:
//   TrainOptions o; o.train_json = "train.json"; o.out_dir = "run"; ...
//   TrainResult r = train(o);              // or resume_training("run", overrides)
#include <cstdint>
#include <string>

#include "wisenet/train/distributed_options.h"
#include "wisenet/train/train_options.h"

namespace wisenet {

struct TrainResult {
  int64_t steps = 0;           // optimiser steps done in total (including before a resume)
  bool stopped_early = false;  // by a signal or the time budget
  TrainStage stage = TrainStage::kLocalization;
  // Validation: counting MAE (loc stage) or mask AP50 (emb stage); -1 without validation.
  double best_val = -1;
  double last_val = -1;
  double seconds = 0;          // wall-clock time of this call
  std::string last_checkpoint;
  std::string best_checkpoint;
};

// Runs a fresh training into options.out_dir (created; an existing last.ckpt there is an
// error that suggests --resume). Writes options.json, log.csv, curves.png, last.ckpt and,
// with validation, best.ckpt.
// With `distributed.world_size` > 1 this process is one rank of a data-parallel run (see
// distributed.h): only rank 0 validates and writes files; every rank returns the same steps.
// Stage both is train_both (both_stages.h); here it is an error.
TrainResult train(const TrainOptions& options, const DistributedOptions& distributed = {});

// Continues the run in `run_dir` from last.ckpt with the options saved there; gives the same
// weights as an uninterrupted run. `max_steps` / `epochs` may be raised by `overrides`
// (a JSON object of option values, as the config file).
// A distributed run resumes with the world size it was written with.
TrainResult resume_training(const std::string& run_dir, const std::string& overrides_json = "{}",
                            const DistributedOptions& distributed = {});

}  // namespace wisenet
