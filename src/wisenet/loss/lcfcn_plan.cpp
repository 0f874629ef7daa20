#include "wisenet/loss/lcfcn_plan.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <memory>

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
  const BlobMap blobs = find_blobs(maps, points);  // also validates the points
  LcfcnPlan plan;
  plan.channels = static_cast<int64_t>(maps.size());
  plan.height = maps[0].rows;
  plan.width = maps[0].cols;
  const int64_t h = plan.height, w = plan.width;
  plan.class_points.assign(plan.channels, 0);
  for (const Point& p : points) {
    ++plan.class_points[p.category];
    plan.point_index.push_back((p.category * h + p.y) * w + p.x);
  }
  for (const cv::Mat& map : maps) plan.argmax.push_back(first_argmax(map));

  // Every split the loss needs: the local split of each blob holding two or more points of its
  // class, and the global split of each class with two or more points.
  struct Split {
    int64_t category;
    std::vector<cv::Point> markers;
    const std::vector<int>* within;  // the blob's pixels; null for a global split
    double weight;
    std::vector<int64_t> boundary;
  };
  std::vector<Split> splits;
  for (const Blob& blob : blobs.blobs) {
    const int n = blob.point_count();
    if (n < 2) continue;
    const double weight =
        options.local_split_weight == LocalSplitWeight::kPointsPlusOne ? n + 1 : n - 1;
    splits.push_back(
        {blob.category, pixels_of(points, blob.point_indices), &blob.pixels, weight, {}});
  }
  if (options.global_split) {
    for (int64_t c = 1; c < plan.channels; ++c) {
      if (plan.class_points[c] < 2) continue;
      std::vector<int> of_class;
      for (size_t i = 0; i < points.size(); ++i) {
        if (points[i].category == c) of_class.push_back(static_cast<int>(i));
      }
      splits.push_back({c, pixels_of(points, of_class), nullptr,
                        static_cast<double>(plan.class_points[c] - 1), {}});
    }
  }

  // One splitter per class (its black top-hat and elevation ranks serve all its splits); the
  // floods are independent and run on the intra-op threads.
  std::vector<std::unique_ptr<WatershedSplitter>> splitters(plan.channels);
  for (const Split& split : splits) {
    if (!splitters[split.category]) {
      splitters[split.category] = std::make_unique<WatershedSplitter>(maps[split.category]);
    }
  }
  // Work is handed out one split at a time, longest first (a global split floods the whole
  // map; a local one may stop early), so that the threads finish together whatever the mix.
  std::vector<size_t> order(splits.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (splits[a].within == nullptr) > (splits[b].within == nullptr);
  });
  std::atomic<size_t> next{0};
  const int64_t workers =
      std::min<int64_t>(at::get_num_threads(), static_cast<int64_t>(splits.size()));
  at::parallel_for(0, workers, 1, [&](int64_t, int64_t) {
    for (size_t k = next++; k < order.size(); k = next++) {
      Split& split = splits[order[k]];
      split.boundary = splitters[split.category]->boundary_pixels(split.markers, split.within);
    }
  });

  for (const Split& split : splits) {
    add_mean(split.within ? plan.split_local : plan.split_global, split.boundary, split.weight);
  }
  for (const Blob& blob : blobs.blobs) {
    if (blob.point_count() == 0) add_mean(plan.false_positive, blob.pixels, 1.0);
  }
  return plan;
}

}  // namespace wisenet
