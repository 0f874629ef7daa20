#include "wisenet/experiment/budget_evaluation.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/image_io.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/proposals/proposal_quality.h"

namespace wisenet {

ValidationSet load_validation_set(const std::string& path, const std::string& image_dir,
                                  int64_t limit) {
  CocoReadOptions read;
  read.point_rule = PointRule::kCenter;
  const CocoDataset all = read_coco(path, read);
  ValidationSet val;
  val.image_dir = image_dir;
  CocoDataset& gt = val.ground_truth;
  gt.source = all.source;
  gt.categories = all.categories;
  const size_t n =
      limit > 0 ? std::min(all.images.size(), static_cast<size_t>(limit)) : all.images.size();
  gt.images.assign(all.images.begin(), all.images.begin() + static_cast<long>(n));
  std::set<int64_t> kept;
  for (const auto& image : gt.images) kept.insert(image.id);
  for (const auto& a : all.annotations) {
    if (a.has_mask && kept.count(a.image_id)) gt.annotations.push_back(a);
  }
  if (gt.annotations.empty()) {
    throw Error(path,
                "no ground-truth masks in the images evaluated: the experiment scores "
                "mask AP against them");
  }
  return val;
}

void prepare_validation_proposals(const ValidationSet& val, const ProposalCache& cache, int threads,
                                  bool progress) {
  const size_t n = val.ground_truth.images.size();
  std::vector<std::string> paths;
  for (const auto& image : val.ground_truth.images) {
    paths.push_back(resolve_image_path(val.ground_truth, image, val.image_dir));
  }
  ProgressBar bar("proposals val", static_cast<int64_t>(n), progress);
  std::atomic<size_t> next{0}, done{0};
  std::mutex failure_mutex;
  std::string failure;
  const int cores = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  const int workers = std::max(1, std::min<int>(cores, static_cast<int>(n)));
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        try {
          cache.get(load_image(paths[i]));
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (failure.empty()) failure = paths[i] + ": " + e.what();
        }
        ++done;
      }
    });
  }
  while (done.load() < n) {
    bar.update(static_cast<int64_t>(done.load()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& t : pool) t.join();
  bar.update(static_cast<int64_t>(n));
  bar.finish();
  if (!failure.empty()) throw Error("proposals: " + failure);
}

std::map<std::string, MethodScore> evaluate_checkpoint(
    const std::string& checkpoint, const ValidationSet& val, const ProposalCache& cache,
    const std::vector<std::pair<std::string, PredictionMode>>& modes, bool progress) {
  TrainedModel trained = load_trained_model(checkpoint);
  WiseNetImpl& model = *trained.model;
  model.eval();
  const CocoDataset& gt = val.ground_truth;
  std::vector<std::vector<Detection>> detections(modes.size());
  ProgressBar bar("evaluate", static_cast<int64_t>(gt.images.size()), progress);
  for (size_t i = 0; i < gt.images.size(); ++i) {
    const cv::Mat rgb = load_image(resolve_image_path(gt, gt.images[i], val.image_dir));
    const Localization located = localize(model, rgb);
    if (!located.objects.empty()) {
      at::Tensor embeddings;
      {
        torch::NoGradGuard no_grad;
        embeddings = model.embedding_grid(image_to_tensor(rgb))[0];
      }
      const Proposals proposals = cache.get(rgb);
      for (size_t m = 0; m < modes.size(); ++m) {
        PredictOptions options;
        options.mode = modes[m].second;
        for (Instance& inst : instances_from_localization(located, embeddings, trained.classes,
                                                          &proposals, options)) {
          detections[m].push_back({gt.images[i].id, std::move(inst)});
        }
      }
    }
    bar.update(static_cast<int64_t>(i + 1));
  }
  bar.finish();
  std::map<std::string, MethodScore> scores;
  for (size_t m = 0; m < modes.size(); ++m) {
    const CocoEvalResult r = evaluate_coco(gt, detections[m]);
    scores[modes[m].first] = {r.AP, r.AP50};
  }
  return scores;
}

MethodScore evaluate_proposal_oracle(const ValidationSet& val, const ProposalCache& cache) {
  const CocoDataset& gt = val.ground_truth;
  std::vector<Detection> detections;
  for (size_t i = 0; i < gt.images.size(); ++i) {
    const Sample sample = load_sample(gt, i, val.image_dir);
    const Proposals proposals = cache.get(sample.image);
    for (Detection& d : oracle_detections(sample.image_id, sample.instances, proposals)) {
      detections.push_back(std::move(d));
    }
  }
  const CocoEvalResult r = evaluate_coco(gt, detections);
  return {r.AP, r.AP50};
}

}  // namespace wisenet
