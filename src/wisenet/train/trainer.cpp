#include "wisenet/train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/core/threads.h"
#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/trainable_size.h"
#include "wisenet/model/wisenet_model.h"
#include "wisenet/train/distributed.h"
#include "wisenet/train/distributed_step.h"
#include "wisenet/train/embedding_targets.h"
#include "wisenet/train/stop_signal.h"
#include "wisenet/train/supervision.h"
#include "wisenet/train/train_log.h"
#include "wisenet/train/training_data.h"
#include "wisenet/train/validation.h"

namespace wisenet {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::string> kLocTerms = {
    "image", "point", "split_local", "split_global", "false_positive", "background", "total"};

// One optimiser step's loss for the localization stage: per image, the LCFCN loss of its
// points or (use_masks[k], full or mixed supervision) the cross-entropy against its masks,
// averaged over the batch; gradients are accumulated image by image (images may differ in size).
// `scale` is 1 / (images in the global batch): with several ranks each holds a part of it.
std::map<std::string, double> localization_step(WiseNetImpl& model,
                                                const std::vector<Sample>& batch,
                                                const std::vector<bool>& use_masks,
                                                const LcfcnOptions& lcfcn, double scale) {
  std::map<std::string, double> sums;
  for (size_t k = 0; k < batch.size(); ++k) {
    const Sample& sample = batch[k];
    const torch::Tensor logits = model.localize(image_to_tensor(sample.image));
    const LocalizationLoss loss = localization_loss(logits, sample, use_masks.at(k), lcfcn);
    (loss.total * scale).backward();
    for (const auto& [name, tensor] : loss.terms) sums[name] += tensor.item<double>() * scale;
  }
  return sums;
}

// One optimiser step for the embedding stage: the similarity loss of every image of the batch
// on its pseudo-masks and background, averaged over the batch. Images without points give no
// update (and no term).
// `first` is the position of batch[0] in the global batch (the pixel sampling seed follows it).
std::map<std::string, double> embedding_step(WiseNetImpl& model, const std::vector<Sample>& batch,
                                             const SimilarityOptions& similarity, uint64_t seed,
                                             double scale, size_t first) {
  std::map<std::string, double> sums;
  for (size_t b = 0; b < batch.size(); ++b) {
    const Sample& sample = batch[b];
    if (sample.points.empty()) continue;
    const EmbeddingTargets targets = targets_of(sample);
    const torch::Tensor embeddings = model.embed(image_to_tensor(sample.image));
    const SimilarityLossResult r =
        similarity_loss(embeddings[0], sample.points, targets.pseudo_masks, targets.background,
                        similarity, seed + first + b);
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
  std::vector<bool> masked;  // per training image: learns from its masks (supervision.h)
  WiseNet model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  int64_t step = 0;
  bool has_best = false;
  double best_score = -1;       // best validation score: MAE (loc) or -AP50 (emb); lower wins
  double previous_seconds = 0;  // training time before a resume
  std::unique_ptr<ProcessGroup> group;  // null for one process
  int world_size() const { return group ? group->world_size() : 1; }
  bool is_main() const { return !group || group->rank() == 0; }  // validates, logs, saves
};

json extra_of(const Run& run) {
  return {{"train_options", train_options_to_json(run.options)},
          {"category_ids", run.data->classes().category_ids},
          {"best_score", run.best_score},
          {"has_best", run.has_best},
          {"seconds", run.previous_seconds},
          {"world_size", run.world_size()}};
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
  // Images that learn from their masks need no proposals (and, under full supervision, no
  // cache at all).
  std::unique_ptr<ProposalCache> cache;
  if (std::find(run.masked.begin(), run.masked.end(), false) != run.masked.end()) {
    cache = std::make_unique<ProposalCache>(dir, ProposalOptions{});
  }
  PointProposalOptions choose;
  choose.score_threshold = o.proposal_score_threshold;
  choose.allow_several_points = o.allow_several_points;
  const size_t n = run.data->size();
  if (run.group) {
    // Each rank fills the shared cache with its part first; then every rank reads all of it.
    const auto [begin, end] =
        shard_range(static_cast<int64_t>(n), run.group->rank(), run.group->world_size());
    for (int64_t i = begin; i < end; ++i) {
      if (run.masked[static_cast<size_t>(i)]) continue;
      embedding_targets(run.data->sample(static_cast<size_t>(i)), *cache, choose);
    }
    run.group->barrier(24 * 3600.0);  // proposals of a large shard take long; a lost rank is
                                      // still noticed at once (its connection closes)
  }
  for (size_t i = 0; i < n; ++i) run.data->sample(i);  // load images on this thread
  run.targets.assign(n, EmbeddingTargets{});
  ProgressBar bar(cache ? "proposals" : "mask targets", static_cast<int64_t>(n),
                  o.progress && run.is_main());
  std::atomic<size_t> next{0}, done{0};
  std::mutex failure_mutex;
  std::string failure;
  const int workers = std::max(1, std::min<int>(at::get_num_threads(), static_cast<int>(n)));
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        try {
          run.targets[i] = run.masked[i] ? mask_targets(run.data->sample(i))
                                         : embedding_targets(run.data->sample(i), *cache, choose);
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
  bar.update(static_cast<int64_t>(n));
  bar.finish();
  if (!failure.empty()) throw Error("proposals: " + failure);
}

void build(Run& run, bool load_backbone_weights) {
  const TrainOptions& o = run.options;
  run.data =
      std::make_unique<TrainingData>(o.train_json, o.points_csv, o.image_dir, o.resize_annotations);
  // An image too small for BatchNorm in training is an error now, not inside libtorch later.
  check_trainable_sizes(run.data->dataset(), o.image_dir, o.model.bn_frozen(),
                        o.stage == TrainStage::kLocalization ? o.scale_jitter : 0.0);
  if (!o.val_json.empty()) {
    run.val = std::make_unique<TrainingData>(o.val_json, "", o.val_image_dir, o.resize_annotations);
    if (run.val->classes().category_ids != run.data->classes().category_ids) {
      throw Error(o.val_json, "its categories differ from the training set's " + o.train_json);
    }
  }
  run.options.model.num_classes = run.data->classes().num_classes();
  run.masked = mask_supervised_images(run.data->dataset(), o.supervision);
  torch::manual_seed(o.seed);
  run.model = WiseNet(run.options.model, load_backbone_weights);
  if (o.stage == TrainStage::kEmbedding) prepare_embedding_targets(run);
  const auto parameters = o.stage == TrainStage::kLocalization ? run.model->lnet_parameters()
                                                               : run.model->enet_parameters();
  run.optimizer = std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

// Every parameter and buffer from rank 0, so all ranks start from the same weights.
void broadcast_model(Run& run) {
  if (!run.group) return;
  std::vector<at::Tensor> tensors;
  for (const auto& p : run.model->parameters()) tensors.push_back(p);
  for (const auto& b : run.model->buffers()) tensors.push_back(b);
  run.group->broadcast(tensors);
}

std::vector<at::Tensor> trained_parameters(const Run& run) {
  std::vector<at::Tensor> out;
  for (const auto& group : run.optimizer->param_groups()) {
    for (const auto& p : group.params()) out.push_back(p);
  }
  return out;
}

TrainResult run_loop(Run& run, bool resumed) {
  const TrainOptions& o = run.options;
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = static_cast<int64_t>(run.data->size());
  const int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  int64_t total_steps = o.epochs * steps_per_epoch;
  if (o.max_steps > 0)
    total_steps = o.epochs > 0 ? std::min(total_steps, o.max_steps) : o.max_steps;
  const fs::path dir(o.out_dir);
  const std::string last_path = (dir / "last.ckpt").string();
  const std::string best_path = (dir / "best.ckpt").string();

  std::vector<std::string> columns =
      o.stage == TrainStage::kLocalization ? kLocTerms : std::vector<std::string>{"total"};
  if (o.stage == TrainStage::kLocalization && o.supervision != Supervision::kPoints) {
    columns.insert(columns.end() - 1, "mask_ce");
  }
  const std::vector<std::string> loss_columns = columns;
  columns.push_back("images_per_s");
  if (run.group) columns.push_back("comm_s");  // seconds in collectives this step
  const auto val_columns =
      o.stage == TrainStage::kLocalization ? validation_columns() : mask_validation_columns();
  for (const auto& c : val_columns) columns.push_back(c);
  std::optional<TrainLog> log;
  if (run.is_main()) log.emplace((dir / "log.csv").string(), columns, resumed ? run.step : -1);

  TrainResult result;
  install_stop_handlers();
  reset_stop_request();
  ProgressBar bar("train " + std::string(stage_name(o.stage)), total_steps,
                  o.progress && run.is_main());
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
    if (!run.val || !run.is_main()) return;
    double score = 0;
    if (o.stage == TrainStage::kLocalization) {
      const CountingValidation v = validate_counting(*run.model, *run.val, o.val_limit);
      log->write("val", run.step, run.step / steps_per_epoch, seconds_now(), v.values());
      score = v.mae;
      last_val = v.mae;
    } else {
      const MaskValidation v = validate_masks(*run.model, *run.val, o.val_limit);
      log->write("val", run.step, run.step / steps_per_epoch, seconds_now(), v.values());
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
    // The global batch is positions [first, last) of the order; each rank takes its own part.
    const int64_t first = position * o.batch_size;
    const int64_t last = std::min(n, (position + 1) * o.batch_size);
    int64_t mine_begin = first, mine_end = last;
    if (run.group) {
      const auto [b, e] = shard_range(last - first, run.group->rank(), run.group->world_size());
      mine_begin = first + b;
      mine_end = first + e;
    }
    std::vector<Sample> batch;
    std::vector<bool> batch_masked;
    for (int64_t k = mine_begin; k < mine_end; ++k) {
      const size_t index = order[static_cast<size_t>(k)];
      batch_masked.push_back(run.masked[index]);
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
        progress =
            std::max(progress, (seconds_now() - run.previous_seconds) / (o.max_minutes * 60.0));
      }
      const double lr = 0.5 * o.lr * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
      for (auto& group : run.optimizer->param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      }
    }
    run.optimizer->zero_grad();
    const double scale = 1.0 / static_cast<double>(last - first);
    auto terms = o.stage == TrainStage::kLocalization
                     ? localization_step(*run.model, batch, batch_masked, o.lcfcn, scale)
                     : embedding_step(*run.model, batch, o.similarity,
                                      o.seed * 1000003ull + static_cast<uint64_t>(run.step) * 64,
                                      scale, static_cast<size_t>(mine_begin - first));
    bool stop_everyone = false;
    if (run.group) {
      // Stop requests and the time budget are agreed on here, so every rank stops at the
      // same step and none waits for a collective that never comes.
      const bool stop_here =
          stop_requested() ||
          (o.max_minutes > 0 && seconds_now() - run.previous_seconds > o.max_minutes * 60.0);
      std::vector<at::Tensor> buffers;
      for (const auto& b : run.model->buffers()) buffers.push_back(b);
      stop_everyone = all_reduce_step(*run.group, trained_parameters(run), buffers, loss_columns,
                                      terms, stop_here);
    }
    run.optimizer->step();
    ++run.step;
    if (run.group && run.group->options().check_every_step) {
      const double difference = run.group->max_difference_from_rank0(trained_parameters(run));
      if (difference != 0) {
        throw Error("distributed: after step " + std::to_string(run.step) +
                    " the ranks' parameters differ (largest difference " +
                    std::to_string(difference) + ")");
      }
    }
    const double step_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
    terms["images_per_s"] = static_cast<double>(last - first) / std::max(step_seconds, 1e-9);
    if (run.group) terms["comm_s"] = run.group->take_communication_seconds();
    if (log) log->write("step", run.step, epoch, seconds_now(), terms);
    for (const auto& [k, v] : terms) running[k] = running.count(k) ? 0.9 * running[k] + 0.1 * v : v;

    const bool epoch_end = run.step % steps_per_epoch == 0;
    if ((o.val_every > 0 && run.step % o.val_every == 0) || (o.val_every == 0 && epoch_end)) {
      validate_now();
    }
    char text[200];
    if (o.stage == TrainStage::kLocalization) {
      std::snprintf(
          text, sizeof text, "ep %lld loss %.3f (%s %.2f split %.2f fp %.2f)%s",
          static_cast<long long>(epoch + 1), running["total"],
          o.supervision == Supervision::kPoints ? "pt" : "ce",
          o.supervision == Supervision::kPoints ? running["point"] : running["mask_ce"],
          running["split_local"] + running["split_global"], running["false_positive"],
          last_val >= 0 ? (" val MAE " + std::to_string(last_val).substr(0, 6)).c_str() : "");
    } else {
      std::snprintf(text, sizeof text, "ep %lld similarity loss %.4f%s",
                    static_cast<long long>(epoch + 1), running["total"],
                    last_validated >= 0
                        ? (" val AP50 " + std::to_string(last_val).substr(0, 5)).c_str()
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
    if (run.step % 50 == 0 && run.is_main()) save(run, last_path);
    if (run.group) {
      if (stop_everyone) {
        result.stopped_early = true;
        break;
      }
    } else if (stop_requested()) {
      result.stopped_early = true;
      break;
    }
    if (!run.group && o.max_minutes > 0 &&
        seconds_now() - run.previous_seconds > o.max_minutes * 60.0) {
      result.stopped_early = true;
      break;
    }
  }
  if (last_validated != run.step) validate_now();
  run.previous_seconds = seconds_now();
  if (run.is_main()) {
    save(run, last_path);
    bar.finish();
    plot_train_log((dir / "log.csv").string(), (dir / "curves.png").string());
  }
  // Rank 0 hosts the store: it leaves only once every rank is done with it.
  if (run.group) run.group->barrier();
  result.steps = run.step;
  result.stage = o.stage;
  result.best_val =
      run.has_best ? (o.stage == TrainStage::kLocalization ? run.best_score : -run.best_score) : -1;
  result.last_val = last_val;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.last_checkpoint = last_path;
  if (run.has_best) result.best_checkpoint = best_path;
  return result;
}

// Debian's libtorch has no CUDA; say so rather than fail somewhere inside a step.
void check_device(const TrainOptions& options) {
  if (options.device != "cuda") return;
  if (!torch::cuda::is_available()) {
    throw Error(
        "--device cuda: the libtorch in use has no CUDA (or no GPU is visible); "
        "Debian's libtorch is CPU-only: use --device cpu");
  }
  throw Error(
      "--device cuda: a CUDA libtorch was found, but wisenet train runs on the CPU "
      "only so far: use --device cpu");
}

std::unique_ptr<ProcessGroup> join_group(const DistributedOptions& distributed) {
  distributed.validate();
  if (!distributed.enabled()) return nullptr;
  return std::make_unique<ProcessGroup>(distributed);
}

}  // namespace

TrainResult train(const TrainOptions& options, const DistributedOptions& distributed) {
  if (options.stage == TrainStage::kBoth) {
    throw Error("train: stage both runs loc then emb through train_both (train/both_stages.h)");
  }
  options.validate();
  check_device(options);
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
  // The emb stage keeps the L-Net as trained: it must run at the scale it was trained at
  // (checked before any proposal is computed).
  if (!options.init.empty() && options.stage == TrainStage::kEmbedding) {
    const CheckpointInfo init = read_checkpoint_info(options.init);
    if (init.options.lnet_input_scale != options.model.lnet_input_scale) {
      throw Error(options.init, "its L-Net was trained with lnet_input_scale " +
                                    std::to_string(init.options.lnet_input_scale) +
                                    "; pass --lnet-input-scale " +
                                    std::to_string(init.options.lnet_input_scale) + " (got " +
                                    std::to_string(options.model.lnet_input_scale) + ")");
    }
  }
  Run run;
  run.options = options;
  run.options.progress = options.progress && distributed.rank == 0;
  run.group = join_group(distributed);
  build(run, options.init.empty());
  if (!options.init.empty()) load_checkpoint(options.init, *run.model, nullptr);
  if (options.enet_from_lnet) run.model->start_enet_from_lnet();
  broadcast_model(run);
  if (run.is_main()) {
    write_file_atomic((dir / "options.json").string(),
                      train_options_to_json(options).dump(2) + "\n");
  }
  return run_loop(run, false);
}

TrainResult resume_training(const std::string& run_dir, const std::string& overrides_json,
                            const DistributedOptions& distributed) {
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
  check_device(run.options);
  const int saved_world_size = extra.value("world_size", 1);
  if (saved_world_size != distributed.world_size) {
    throw Error(last, "was written by " + std::to_string(saved_world_size) +
                          " process(es); resume it with --world-size " +
                          std::to_string(saved_world_size) + " (got " +
                          std::to_string(distributed.world_size) + ")");
  }
  set_threads(run.options.threads);
  run.group = join_group(distributed);
  const bool progress = run.options.progress;
  run.options.progress = progress && distributed.rank == 0;
  build(run, false);
  const CheckpointInfo loaded = load_checkpoint(last, *run.model, run.optimizer.get());
  broadcast_model(run);
  run.step = loaded.step;
  run.best_score = extra.value("best_score", -1.0);
  run.has_best = extra.value("has_best", false);
  run.previous_seconds = extra.value("seconds", 0.0);
  return run_loop(run, true);
}

}  // namespace wisenet
