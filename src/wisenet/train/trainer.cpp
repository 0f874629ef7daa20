#include "wisenet/train/trainer.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
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
#include "wisenet/train/embedding_targets.h"
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

// One optimiser step for the embedding stage: the similarity loss of every image of the batch
// on its pseudo-masks and background, averaged over the batch. Images without points give no
// update (and no term).
std::map<std::string, double> embedding_step(WiseNetImpl& model, const std::vector<Sample>& batch,
                                             const SimilarityOptions& similarity, uint64_t seed) {
  std::map<std::string, double> sums;
  const double scale = 1.0 / static_cast<double>(batch.size());
  for (size_t b = 0; b < batch.size(); ++b) {
    const Sample& sample = batch[b];
    if (sample.points.empty()) continue;
    const EmbeddingTargets targets = targets_of(sample);
    const torch::Tensor embeddings = model.embed(image_to_tensor(sample.image));
    const SimilarityLossResult r = similarity_loss(embeddings[0], sample.points, targets.pseudo_masks,
                                                   targets.background, similarity, seed + b);
    if (!r.has_points) continue;
    (r.total * scale).backward();
    sums["total"] += r.total.item<double>() * scale;
    for (const auto& [name, value] : r.terms) sums[name] += value * scale;
  }
  return sums;
}

struct Run {
  TrainOptions options;
  std::unique_ptr<TrainingData> data;
  std::unique_ptr<TrainingData> val;
  std::vector<EmbeddingTargets> targets;  // emb stage: per training image
  WiseNet model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  int64_t step = 0;
  bool has_best = false;
  double best_score = -1;  // best validation score: MAE (loc) or -AP50 (emb); lower wins
  double previous_seconds = 0;  // training time before a resume
};

json extra_of(const Run& run) {
  return {{"train_options", train_options_to_json(run.options)},
          {"category_ids", run.data->classes().category_ids},
          {"best_score", run.best_score},
          {"has_best", run.has_best},
          {"seconds", run.previous_seconds}};
}

void save(const Run& run, const std::string& path) {
  save_checkpoint(path, *run.model, run.optimizer.get(), run.step, run.data->classes().names,
                  extra_of(run).dump());
}

// Proposals (from the cache, computed on a miss) and pseudo-masks of every training image, on
// all threads, with a progress bar.
void prepare_embedding_targets(Run& run) {
  const TrainOptions& o = run.options;
  const std::string dir = o.proposals_dir.empty()
                              ? (std::filesystem::path(o.out_dir) / "proposals").string()
                              : o.proposals_dir;
  const ProposalCache cache(dir, ProposalOptions{});
  PointProposalOptions choose;
  choose.score_threshold = o.proposal_score_threshold;
  choose.allow_several_points = o.allow_several_points;
  const size_t n = run.data->size();
  for (size_t i = 0; i < n; ++i) run.data->sample(i);  // load images on this thread
  run.targets.assign(n, EmbeddingTargets{});
  ProgressBar bar("proposals", static_cast<int64_t>(n), o.progress);
  std::atomic<size_t> next{0}, done{0};
  std::mutex failure_mutex;
  std::string failure;
  const int workers = std::max(1, std::min<int>(at::get_num_threads(), static_cast<int>(n)));
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        try {
          run.targets[i] = embedding_targets(run.data->sample(i), cache, choose);
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (failure.empty()) failure = run.data->dataset().images[i].file_name + ": " + e.what();
        }
        ++done;
      }
    });
  }
  while (done.load() < n) {
    bar.update(static_cast<int64_t>(done.load()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& t : threads) t.join();
  bar.finish();
  if (!failure.empty()) throw Error("proposals: " + failure);
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
  if (o.stage == TrainStage::kEmbedding) prepare_embedding_targets(run);
  const auto parameters = o.stage == TrainStage::kLocalization ? run.model->lnet_parameters()
                                                                : run.model->enet_parameters();
  run.optimizer = std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

TrainResult run_loop(Run& run, bool resumed) {
  const TrainOptions& o = run.options;
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = static_cast<int64_t>(run.data->size());
  const int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  int64_t total_steps = o.epochs * steps_per_epoch;
  if (o.max_steps > 0) total_steps = o.epochs > 0 ? std::min(total_steps, o.max_steps) : o.max_steps;
  const fs::path dir(o.out_dir);
  const std::string last_path = (dir / "last.ckpt").string();
  const std::string best_path = (dir / "best.ckpt").string();

  std::vector<std::string> columns =
      o.stage == TrainStage::kLocalization ? kLocTerms : std::vector<std::string>{"total"};
  columns.push_back("images_per_s");
  const auto val_columns = o.stage == TrainStage::kLocalization ? validation_columns()
                                                                 : mask_validation_columns();
  for (const auto& c : val_columns) columns.push_back(c);
  TrainLog log((dir / "log.csv").string(), columns, resumed ? run.step : -1);

  TrainResult result;
  install_stop_handlers();
  reset_stop_request();
  ProgressBar bar("train " + std::string(stage_name(o.stage)), total_steps, o.progress);
  std::map<std::string, double> running;
  double last_val = -1;
  int64_t last_validated = -1;
  const auto seconds_now = [&] {
    return run.previous_seconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Validation: counting MAE for L-Net (lower is better), mask AP50 for E-Net (higher is
  // better, kept as its negative so that "best" is always the minimum).
  const auto validate_now = [&] {
    if (!run.val) return;
    double score = 0;
    if (o.stage == TrainStage::kLocalization) {
      const CountingValidation v = validate_counting(*run.model, *run.val, o.val_limit);
      log.write("val", run.step, run.step / steps_per_epoch, seconds_now(), v.values());
      score = v.mae;
      last_val = v.mae;
    } else {
      const MaskValidation v = validate_masks(*run.model, *run.val, o.val_limit);
      log.write("val", run.step, run.step / steps_per_epoch, seconds_now(), v.values());
      if (v.ap50 < 0) return;  // no masks to validate against
      score = -v.ap50;
      last_val = v.ap50;
    }
    last_validated = run.step;
    if (!run.has_best || score < run.best_score) {
      run.has_best = true;
      run.best_score = score;
      save(run, best_path);
    }
  };

  run.model->train();
  const int64_t first_step = run.step;
  std::vector<size_t> order;
  int64_t order_epoch = -1;
  while (run.step < total_steps) {
    const auto step_start = std::chrono::steady_clock::now();
    const int64_t epoch = run.step / steps_per_epoch;
    const int64_t position = run.step % steps_per_epoch;
    if (epoch != order_epoch) {  // the permutation depends on the epoch only
      order = run.data->epoch_order(o.seed, epoch);
      order_epoch = epoch;
    }
    std::vector<Sample> batch;
    for (int64_t k = position * o.batch_size; k < std::min(n, (position + 1) * o.batch_size); ++k) {
      const size_t index = order[static_cast<size_t>(k)];
      if (o.stage == TrainStage::kLocalization) {
        batch.push_back(
            augment(run.data->sample(index), o.hflip, o.scale_jitter, o.seed, epoch, index));
      } else {
        // Pseudo-masks travel with the image; rescaling could erase one-pixel masks, so the
        // embedding stage uses flips only.
        batch.push_back(augment(with_targets(run.data->sample(index), run.targets[index]), o.hflip,
                                0.0, o.seed, epoch, index));
      }
    }
    // Cosine decay over the run's progress: by steps, or by time when a time budget is set.
    if (o.lr_schedule == "cosine") {
      double progress = static_cast<double>(run.step) / static_cast<double>(total_steps);
      if (o.max_minutes > 0) {
        progress = std::max(progress, (seconds_now() - run.previous_seconds) / (o.max_minutes * 60.0));
      }
      const double lr = 0.5 * o.lr * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
      for (auto& group : run.optimizer->param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      }
    }
    run.optimizer->zero_grad();
    auto terms = o.stage == TrainStage::kLocalization
                     ? localization_step(*run.model, batch, o.lcfcn)
                     : embedding_step(*run.model, batch, o.similarity,
                                      o.seed * 1000003ull + static_cast<uint64_t>(run.step) * 64);
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
    if (o.stage == TrainStage::kLocalization) {
      std::snprintf(text, sizeof text, "ep %lld loss %.3f (pt %.2f split %.2f fp %.2f)%s",
                    static_cast<long long>(epoch + 1), running["total"], running["point"],
                    running["split_local"] + running["split_global"], running["false_positive"],
                    last_val >= 0 ? (" val MAE " + std::to_string(last_val).substr(0, 6)).c_str()
                                  : "");
    } else {
      std::snprintf(text, sizeof text, "ep %lld similarity loss %.4f%s",
                    static_cast<long long>(epoch + 1), running["total"],
                    last_validated >= 0 ? (" val AP50 " + std::to_string(last_val).substr(0, 5)).c_str()
                                        : "");
    }
    if (o.max_minutes > 0) {
      // With a time budget the step count to expect is the budget at the current pace.
      const double elapsed = seconds_now() - run.previous_seconds;
      const double pace = static_cast<double>(run.step - first_step) / std::max(elapsed, 1e-9);
      const auto expected = static_cast<int64_t>(first_step + pace * o.max_minutes * 60.0);
      bar.set_total(std::max(run.step, std::min(total_steps, expected)));
    }
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
  result.stage = o.stage;
  result.best_val = run.has_best ? (o.stage == TrainStage::kLocalization ? run.best_score : -run.best_score) : -1;
  result.last_val = last_val;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.last_checkpoint = last_path;
  if (run.has_best) result.best_checkpoint = best_path;
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
  run.best_score = extra.value("best_score", -1.0);
  run.has_best = extra.value("has_best", false);
  run.previous_seconds = extra.value("seconds", 0.0);
  return run_loop(run, true);
}

}  // namespace wisenet
