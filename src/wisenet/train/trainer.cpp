#include "wisenet/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/core/threads.h"
#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/wisenet_model.h"
#include "wisenet/train/stop_signal.h"
#include "wisenet/train/train_log.h"
#include "wisenet/train/training_data.h"
#include "wisenet/train/validation.h"

namespace wisenet {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::string> kLocTerms = {"image", "point", "split_local", "split_global",
                                            "false_positive", "background", "total"};

// One optimiser step's loss for the localization stage: the LCFCN loss of every image of the
// batch, averaged over the batch; gradients are accumulated image by image (images may
// differ in size).
std::map<std::string, double> localization_step(WiseNetImpl& model,
                                                const std::vector<Sample>& batch,
                                                const LcfcnOptions& lcfcn) {
  std::map<std::string, double> sums;
  const double scale = 1.0 / static_cast<double>(batch.size());
  for (const Sample& sample : batch) {
    const torch::Tensor logits = model.localize(image_to_tensor(sample.image));
    const LcfcnTerms t = lcfcn_loss_from_logits(logits, {sample.points}, lcfcn);
    (t.total * scale).backward();
    const std::pair<const char*, const at::Tensor*> named[] = {
        {"image", &t.image},           {"point", &t.point},
        {"split_local", &t.split_local}, {"split_global", &t.split_global},
        {"false_positive", &t.false_positive}, {"background", &t.background},
        {"total", &t.total}};
    for (const auto& [name, tensor] : named) {
      if (tensor->defined()) sums[name] += tensor->item<double>() * scale;
    }
  }
  return sums;
}

struct Run {
  TrainOptions options;
  std::unique_ptr<TrainingData> data;
  std::unique_ptr<TrainingData> val;
  WiseNet model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  int64_t step = 0;
  double best_mae = -1;
  double previous_seconds = 0;  // training time before a resume
};

json extra_of(const Run& run) {
  return {{"train_options", train_options_to_json(run.options)},
          {"category_ids", run.data->classes().category_ids},
          {"best_val_mae", run.best_mae},
          {"seconds", run.previous_seconds}};
}

void save(const Run& run, const std::string& path) {
  save_checkpoint(path, *run.model, run.optimizer.get(), run.step, run.data->classes().names,
                  extra_of(run).dump());
}

void build(Run& run, bool load_backbone_weights) {
  const TrainOptions& o = run.options;
  run.data = std::make_unique<TrainingData>(o.train_json, o.points_csv, o.image_dir);
  if (!o.val_json.empty()) {
    run.val = std::make_unique<TrainingData>(o.val_json, "", o.val_image_dir);
    if (run.val->classes().category_ids != run.data->classes().category_ids) {
      throw Error(o.val_json, "its categories differ from the training set's " + o.train_json);
    }
  }
  run.options.model.num_classes = run.data->classes().num_classes();
  torch::manual_seed(o.seed);
  run.model = WiseNet(run.options.model, load_backbone_weights);
  const auto parameters = o.stage == TrainStage::kLocalization ? run.model->lnet_parameters()
                                                                : run.model->enet_parameters();
  run.optimizer = std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

TrainResult run_loop(Run& run, bool resumed) {
  const TrainOptions& o = run.options;
  if (o.stage != TrainStage::kLocalization) {
    throw Error("train: the emb stage is not available in this build");
  }
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = static_cast<int64_t>(run.data->size());
  const int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  int64_t total_steps = o.epochs * steps_per_epoch;
  if (o.max_steps > 0) total_steps = o.epochs > 0 ? std::min(total_steps, o.max_steps) : o.max_steps;
  const fs::path dir(o.out_dir);
  const std::string last_path = (dir / "last.ckpt").string();
  const std::string best_path = (dir / "best.ckpt").string();

  std::vector<std::string> columns = kLocTerms;
  columns.push_back("images_per_s");
  for (const auto& c : validation_columns()) columns.push_back(c);
  TrainLog log((dir / "log.csv").string(), columns, resumed ? run.step : -1);

  TrainResult result;
  install_stop_handlers();
  reset_stop_request();
  ProgressBar bar("train " + std::string(stage_name(o.stage)), total_steps, o.progress);
  std::map<std::string, double> running;
  double last_mae = -1;
  int64_t last_validated = -1;
  const auto seconds_now = [&] {
    return run.previous_seconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto validate_now = [&] {
    if (!run.val) return;
    const CountingValidation v = validate_counting(*run.model, *run.val, o.val_limit);
    log.write("val", run.step, run.step / steps_per_epoch, seconds_now(), v.values());
    last_mae = v.mae;
    last_validated = run.step;
    if (run.best_mae < 0 || v.mae < run.best_mae) {
      run.best_mae = v.mae;
      save(run, best_path);
    }
  };

  run.model->train();
  while (run.step < total_steps) {
    const auto step_start = std::chrono::steady_clock::now();
    const int64_t epoch = run.step / steps_per_epoch;
    const int64_t position = run.step % steps_per_epoch;
    const std::vector<size_t> order = run.data->epoch_order(o.seed, epoch);
    std::vector<Sample> batch;
    for (int64_t k = position * o.batch_size; k < std::min(n, (position + 1) * o.batch_size); ++k) {
      const size_t index = order[static_cast<size_t>(k)];
      batch.push_back(augment(run.data->sample(index), o.hflip, o.scale_jitter, o.seed, epoch, index));
    }
    run.optimizer->zero_grad();
    auto terms = localization_step(*run.model, batch, o.lcfcn);
    run.optimizer->step();
    ++run.step;
    const double step_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
    terms["images_per_s"] = static_cast<double>(batch.size()) / std::max(step_seconds, 1e-9);
    log.write("step", run.step, epoch, seconds_now(), terms);
    for (const auto& [k, v] : terms) running[k] = running.count(k) ? 0.9 * running[k] + 0.1 * v : v;

    const bool epoch_end = run.step % steps_per_epoch == 0;
    if ((o.val_every > 0 && run.step % o.val_every == 0) || (o.val_every == 0 && epoch_end)) {
      validate_now();
    }
    char text[200];
    std::snprintf(text, sizeof text, "ep %lld loss %.3f (pt %.2f split %.2f fp %.2f)%s",
                  static_cast<long long>(epoch + 1), running["total"], running["point"],
                  running["split_local"] + running["split_global"], running["false_positive"],
                  last_mae >= 0 ? (" val MAE " + std::to_string(last_mae).substr(0, 6)).c_str()
                                : "");
    bar.update(run.step, text);
    if (run.step % 50 == 0) save(run, last_path);
    if (stop_requested()) {
      result.stopped_early = true;
      break;
    }
    if (o.max_minutes > 0 && seconds_now() - run.previous_seconds > o.max_minutes * 60.0) {
      result.stopped_early = true;
      break;
    }
  }
  if (last_validated != run.step) validate_now();
  run.previous_seconds = seconds_now();
  save(run, last_path);
  bar.finish();
  plot_train_log((dir / "log.csv").string(), (dir / "curves.png").string());
  result.steps = run.step;
  result.best_val_mae = run.best_mae;
  result.last_val_mae = last_mae;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.last_checkpoint = last_path;
  if (run.best_mae >= 0) result.best_checkpoint = best_path;
  return result;
}

}  // namespace

TrainResult train(const TrainOptions& options) {
  options.validate();
  set_threads(options.threads);
  const fs::path dir(options.out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error(options.out_dir, "cannot create the run folder: " + ec.message());
  }
  if (fs::exists(dir / "last.ckpt")) {
    throw Error(options.out_dir, "already holds a run (last.ckpt); continue it with --resume " +
                                     options.out_dir + " or choose another --out");
  }
  Run run;
  run.options = options;
  build(run, options.init.empty());
  if (!options.init.empty()) load_checkpoint(options.init, *run.model, nullptr);
  write_file_atomic((dir / "options.json").string(),
                    train_options_to_json(run.options).dump(2) + "\n");
  return run_loop(run, false);
}

TrainResult resume_training(const std::string& run_dir, const std::string& overrides_json) {
  const std::string last = (fs::path(run_dir) / "last.ckpt").string();
  if (!fs::exists(last)) throw Error(run_dir, "no last.ckpt to resume from");
  const CheckpointInfo info = read_checkpoint_info(last);
  json extra;
  try {
    extra = json::parse(info.extra);
  } catch (const json::exception&) {
    throw Error(last, "checkpoint holds no training state (not written by wisenet train)");
  }
  if (!extra.contains("train_options")) {
    throw Error(last, "checkpoint holds no training options (not written by wisenet train)");
  }
  Run run;
  merge_train_options(extra["train_options"], last, run.options);
  merge_train_options(json::parse(overrides_json), "command line", run.options);
  run.options.out_dir = run_dir;
  run.options.validate();
  set_threads(run.options.threads);
  build(run, false);
  const CheckpointInfo loaded = load_checkpoint(last, *run.model, run.optimizer.get());
  run.step = loaded.step;
  run.best_mae = extra.value("best_val_mae", -1.0);
  run.previous_seconds = extra.value("seconds", 0.0);
  return run_loop(run, true);
}

}  // namespace wisenet
