#include "wisenet/loss/lcfcn_plan.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "wisenet/core/error.h"
#include "wisenet/loss/blobs.h"
#include "wisenet/loss/watershed.h"

namespace wisenet {
namespace {

// Adds `weight` * (mean over `pixels`) to `weights`; no pixels add nothing.
template <typename Index>
void add_mean(PixelWeights& weights, const std::vector<Index>& pixels, double weight) {
  if (pixels.empty()) return;
  const double share = weight / static_cast<double>(pixels.size());
  weights.pixels.insert(weights.pixels.end(), pixels.begin(), pixels.end());
  weights.weights.insert(weights.weights.end(), pixels.size(), share);
}

std::vector<cv::Point> pixels_of(const std::vector<Point>& points, const std::vector<int>& which) {
  std::vector<cv::Point> out;
  out.reserve(which.size());
  for (int i : which) out.emplace_back(points[i].x, points[i].y);
  return out;
}

// The first pixel of the largest value (torch.argmax's tie rule).
int64_t first_argmax(const cv::Mat& map) {
  const float* v = map.ptr<float>();
  const int64_t n = static_cast<int64_t>(map.total());
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (v[i] > v[best] || (v[i] != v[i] && v[best] == v[best])) best = i;  // NaN wins, as torch
  }
  return best;
}

}  // namespace

LcfcnPlan lcfcn_plan(const std::vector<cv::Mat>& maps, const std::vector<Point>& points,
                     const LcfcnOptions& options) {
  LcfcnPlan plan;
  plan.channels = static_cast<int64_t>(maps.size());
  if (!maps.empty()) {
    plan.height = maps[0].rows;
    plan.width = maps[0].cols;
  }
  // Points must lie in the image and name a class 1..C (checked before any work is shared).
  check_points(points, static_cast<int>(plan.channels) - 1, plan.height, plan.width, "lcfcn_plan");
  const int64_t h = plan.height, w = plan.width;
  plan.class_points.assign(plan.channels, 0);
  for (const Point& p : points) {
    ++plan.class_points[p.category];
    plan.point_index.push_back((p.category * h + p.y) * w + p.x);
  }

  // Every split the loss needs: the global split of each class with two or more points and
  // the local split of each blob holding two or more points of its class. A blob with two
  // points implies a class with two, so the splitters are known from the points alone and
  // can be built while the blobs are found.
  struct Split {
    int64_t category;
    std::vector<cv::Point> markers;
    const std::vector<int>* within;  // the blob's pixels; null for a global split
    double weight;
    std::vector<int64_t> boundary;
  };
  std::vector<int64_t> split_classes;
  for (int64_t c = 1; c < plan.channels; ++c) {
    if (plan.class_points[c] >= 2) split_classes.push_back(c);
  }
  std::vector<Split> global_splits;
  if (options.global_split) {
    for (int64_t c : split_classes) {
      std::vector<int> of_class;
      for (size_t i = 0; i < points.size(); ++i) {
        if (points[i].category == c) of_class.push_back(static_cast<int>(i));
      }
      global_splits.push_back({c,
                               pixels_of(points, of_class),
                               nullptr,
                               static_cast<double>(plan.class_points[c] - 1),
                               {}});
    }
  }

  // Tasks handed out one at a time from a shared counter: the splitters (black top-hat and
  // ranks, one per class), the blobs (they tell the local splits), the global splits (a global
  // split floods the whole map), then the local splits, whose number is known once the blobs
  // are. A task waits only for tasks handed out before it, so any number of threads finishes.
  // With no class to split there is one task (the blobs) and no second thread is woken.
  BlobMap blobs;
  std::vector<Split> local_splits;
  std::vector<std::unique_ptr<WatershedSplitter>> splitters(plan.channels);
  const size_t splitter_tasks = split_classes.size();
  const size_t blobs_task = splitter_tasks, first_global = blobs_task + 1;
  const size_t first_local = first_global + global_splits.size();
  // done[k] for the splitter tasks and the blobs task.
  std::unique_ptr<std::atomic<bool>[]> done(new std::atomic<bool>[first_global]);
  for (size_t k = 0; k < first_global; ++k) done[k] = false;
  std::vector<size_t> splitter_task(plan.channels, 0);
  for (size_t k = 0; k < split_classes.size(); ++k) splitter_task[split_classes[k]] = k;
  std::atomic<bool> failed{false};
  // Waits for task k; false when a task failed (its error is rethrown by parallel_for).
  const auto wait_for = [&](size_t k) {
    while (!done[k].load(std::memory_order_acquire)) std::this_thread::yield();
    return !failed.load(std::memory_order_acquire);
  };
  // Runs task k, marked done even when it throws, so that no thread waits for it forever.
  const auto run_marked = [&](size_t k, auto&& task) {
    struct MarkDone {
      std::atomic<bool>& flag;
      ~MarkDone() { flag.store(true, std::memory_order_release); }
    } mark{done[k]};
    try {
      task();
    } catch (...) {
      failed = true;
      throw;
    }
  };
  const auto find_the_blobs = [&] {
    blobs = find_blobs(maps, points);
    for (const cv::Mat& map : maps) plan.argmax.push_back(first_argmax(map));
    for (const Blob& blob : blobs.blobs) {
      const int n = blob.point_count();
      if (n < 2) continue;
      const double weight =
          options.local_split_weight == LocalSplitWeight::kPointsPlusOne ? n + 1 : n - 1;
      local_splits.push_back(
          {blob.category, pixels_of(points, blob.point_indices), &blob.pixels, weight, {}});
    }
  };
  // Runs flood task k; false when there is nothing left to do.
  const auto run_split = [&](size_t k) {
    Split* split = nullptr;
    if (k < first_local) {
      split = &global_splits[k - first_global];
    } else {
      if (!wait_for(blobs_task) || k - first_local >= local_splits.size()) return false;
      split = &local_splits[k - first_local];
    }
    if (!wait_for(splitter_task[split->category])) return false;
    split->boundary = splitters[split->category]->boundary_pixels(split->markers, split->within);
    return true;
  };
  std::atomic<size_t> next{0};
  const int64_t workers = splitter_tasks > 0 ? at::get_num_threads() : 1;
  at::parallel_for(0, workers, 1, [&](int64_t, int64_t) {
    for (;;) {
      const size_t k = next++;
      if (k < splitter_tasks) {
        run_marked(k, [&] {
          const int64_t c = split_classes[k];
          splitters[c] = std::make_unique<WatershedSplitter>(maps[c]);
        });
      } else if (k == blobs_task) {
        run_marked(k, find_the_blobs);
      } else if (!run_split(k)) {
        return;
      }
    }
  });

  for (const Split& split : global_splits) {
    add_mean(plan.split_global, split.boundary, split.weight);
  }
  for (const Split& split : local_splits) {
    add_mean(plan.split_local, split.boundary, split.weight);
  }
  for (const Blob& blob : blobs.blobs) {
    if (blob.point_count() == 0) add_mean(plan.false_positive, blob.pixels, 1.0);
  }
  return plan;
}

}  // namespace wisenet
