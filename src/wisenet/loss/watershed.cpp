#include "wisenet/loss/watershed.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/loss/bucket_queue.h"

namespace wisenet {
namespace {

// One pixel waiting in the exact heap (ages never exceed the pixel count).
struct FloodItem {
  float elevation;
  int32_t age;
  int32_t index;
};

bool smaller(const FloodItem& a, const FloodItem& b) {
  if (a.elevation != b.elevation) return a.elevation < b.elevation;
  return a.age < b.age;
}

// skimage's array binary heap (heap_general.pxi), with its exact sift rules: std::priority_queue
// orders equal items differently and so moves some boundaries.
void heap_push(std::vector<FloodItem>& items, const FloodItem& item) {
  items.push_back(item);
  size_t child = items.size() - 1;
  while (child > 0) {
    const size_t parent = (child + 1) / 2 - 1;
    if (!smaller(items[child], items[parent])) break;
    std::swap(items[child], items[parent]);
    child = parent;
  }
}

FloodItem heap_pop(std::vector<FloodItem>& items) {
  const FloodItem top = items.front();
  items.front() = items.back();
  items.pop_back();
  const size_t n = items.size();
  size_t i = 0;
  for (;;) {
    const size_t left = 2 * i + 1, right = left + 1;
    size_t smallest = i;
    if (left < n && smaller(items[left], items[i])) smallest = left;
    if (right < n && smaller(items[right], items[smallest])) smallest = right;
    if (smallest == i) break;
    std::swap(items[i], items[smallest]);
    i = smallest;
  }
  return top;
}

}  // namespace

namespace detail {
struct FloodBuffers {
  std::vector<FloodItem> heap;  // phase 1: skimage's exact array heap
  BucketQueue queue;            // phase 2: buckets of elevation rank, first in first out
};
}  // namespace detail

namespace {

using detail::FloodBuffers;

// Markers whose elevation equals another marker's: the only items whose keys tie.
size_t tied_markers(const float* elev, const std::vector<int32_t>& marker_indices) {
  std::vector<float> e;
  for (int32_t i : marker_indices) e.push_back(elev[i] == 0.f ? 0.f : elev[i]);
  std::sort(e.begin(), e.end());
  size_t tied = 0;
  for (size_t k = 0; k < e.size(); ++k) {
    if ((k > 0 && e[k] == e[k - 1]) || (k + 1 < e.size() && e[k] == e[k + 1])) ++tied;
  }
  return tied;
}

// Priority-flood of `label` (h x w, row-major; > 0 markers, < 0 walls, 0 to fill) from the
// markers at `marker_indices` (raster order), as skimage: markers pushed first with age 0,
// then every newly reached pixel with age 2, 3, ...; pop order (elevation, age).
//
// Exactness of the fast queue. Only markers share an age (0), so keys tie only between
// markers of equal elevation, and the order of those depends on the array heap's exact
// dynamics: until the last such marker is popped we run that heap as is. From then on every
// queued key (elevation, age) is distinct, the pop order is the total order of keys, and any
// structure that always pops the smallest key gives the same flood. We use one first-in-
// first-out bucket per elevation rank (`rank`, dense ranks of the elevations): ages grow with
// push order, so each bucket stays sorted by age, and a push or pop costs O(1).
// A NaN elevation makes the comparison no order at all: then the exact heap runs throughout
// (`rank` is null).
//
// With `needed` (1 on the pixels whose labels are wanted) the flood stops once `remaining` (the
// number of those still unlabelled) reaches 0; labels never change once given.
void flood(const float* elev, const int32_t* rank, int rank_count, int h, int w, int32_t* label,
           const std::vector<int32_t>& marker_indices, const uint8_t* needed, int64_t remaining,
           FloodBuffers& buf) {
  std::vector<FloodItem>& heap = buf.heap;
  heap.clear();
  for (int32_t i : marker_indices) heap_push(heap, {elev[i], 0, i});
  if (needed && remaining <= 0) return;
  size_t markers_left =
      rank == nullptr ? static_cast<size_t>(-1) : tied_markers(elev, marker_indices);
  int32_t age = 1;

  // skimage visits the 4-neighbours in the order of its raveled offsets sorted by distance:
  // up, left, right, down. A pixel takes its label when first reached.
  auto expand = [&](int i, auto&& push) {
    const int y = i / w, x = i - y * w;
    const int32_t l = label[i];
    auto visit = [&](int n) {
      if (label[n] != 0) return;
      label[n] = l;
      ++age;
      if (needed && needed[n]) --remaining;
      push(n);
    };
    if (y > 0) visit(i - w);
    if (x > 0) visit(i - 1);
    if (x + 1 < w) visit(i + 1);
    if (y + 1 < h) visit(i + w);
  };
  auto done = [&] { return needed && remaining == 0; };

  // Phase 1: the exact array heap while a tied marker is queued.
  auto push_exact = [&](int n) { heap_push(heap, {elev[n], age, n}); };
  while (markers_left > 0 && !heap.empty()) {
    const FloodItem item = heap_pop(heap);
    if (item.age == 0 && markers_left != static_cast<size_t>(-1)) {
      // Untied markers do not count; a tied one is one whose elevation another marker has.
      bool tied = false;
      for (int32_t m : marker_indices) {
        if (m != item.index && elev[m] == item.elevation) tied = true;
      }
      if (tied) --markers_left;
    }
    expand(item.index, push_exact);
    if (done()) return;
  }
  if (heap.empty()) return;

  // Phase 2: the items left in the heap, in key order, into the buckets.
  std::sort(heap.begin(), heap.end(), [&](const FloodItem& a, const FloodItem& b) {
    if (rank[a.index] != rank[b.index]) return rank[a.index] < rank[b.index];
    return a.age < b.age;
  });
  BucketQueue& queue = buf.queue;
  queue.reset(rank_count, h * w);
  for (const FloodItem& it : heap) queue.push(rank[it.index], it.index);
  heap.clear();
  auto push_fast = [&](int n) { queue.push(rank[n], n); };
  while (!queue.empty()) {
    expand(queue.pop(), push_fast);
    if (done()) return;
  }
}

bool any_nan(const cv::Mat& e) {
  for (int y = 0; y < e.rows; ++y) {
    const float* row = e.ptr<float>(y);
    for (int x = 0; x < e.cols; ++x) {
      if (std::isnan(row[x])) return true;
    }
  }
  return false;
}

void check_markers(const char* what, const std::vector<cv::Point>& markers, int w, int h) {
  for (size_t i = 0; i < markers.size(); ++i) {
    const cv::Point& m = markers[i];
    if (m.x < 0 || m.y < 0 || m.x >= w || m.y >= h) {
      throw Error(std::string(what) + ": marker " + std::to_string(i) + " (" +
                  std::to_string(m.x) + ", " + std::to_string(m.y) + ") lies outside the " +
                  std::to_string(w) + "x" + std::to_string(h) + " map");
    }
  }
}

}  // namespace

cv::Mat black_top_hat(const cv::Mat& p) {
  if (p.type() != CV_32FC1) throw Error("black_top_hat: input is not a CV_32F single-channel map");
  cv::Mat out;
  const cv::Mat square = cv::getStructuringElement(cv::MORPH_RECT, {7, 7});
  cv::morphologyEx(p, out, cv::MORPH_BLACKHAT, square, {-1, -1}, 1, cv::BORDER_REFLECT);
  return out;
}

cv::Mat watershed_labels(const cv::Mat& elevation, const cv::Mat& markers) {
  if (elevation.type() != CV_32FC1) throw Error("watershed_labels: elevation is not CV_32F");
  if (markers.type() != CV_32SC1 || markers.size() != elevation.size()) {
    throw Error("watershed_labels: markers must be CV_32S of the elevation's size");
  }
  const int h = elevation.rows, w = elevation.cols;
  cv::Mat labels = markers.clone();
  cv::Mat e = elevation.isContinuous() ? elevation : elevation.clone();
  int32_t* label = labels.ptr<int32_t>(0);
  std::vector<int32_t> marker_indices;
  for (int i = 0; i < h * w; ++i) {
    if (label[i] > 0) marker_indices.push_back(i);
  }
  FloodBuffers buffers;
  int rank_count = 0;
  std::vector<int32_t> rank;
  if (!any_nan(e)) rank = dense_ranks(e.ptr<float>(0), h * w, &rank_count);
  flood(e.ptr<float>(0), rank.empty() ? nullptr : rank.data(), rank_count, h, w, label,
        marker_indices, nullptr, 0, buffers);
  return labels;
}

cv::Mat label_boundaries(const cv::Mat& labels) {
  if (labels.type() != CV_32SC1) throw Error("label_boundaries: labels are not CV_32S");
  const int h = labels.rows, w = labels.cols;
  cv::Mat out(h, w, CV_8U, cv::Scalar(0));
  for (int y = 0; y < h; ++y) {
    const int* row = labels.ptr<int>(y);
    const int* up = y > 0 ? labels.ptr<int>(y - 1) : nullptr;
    const int* down = y + 1 < h ? labels.ptr<int>(y + 1) : nullptr;
    uchar* o = out.ptr<uchar>(y);
    for (int x = 0; x < w; ++x) {
      const int v = row[x];
      const bool differs = (x > 0 && row[x - 1] != v) || (x + 1 < w && row[x + 1] != v) ||
                           (up && up[x] != v) || (down && down[x] != v);
      o[x] = differs ? 1 : 0;
    }
  }
  return out;
}

cv::Mat watershed_split_with_elevation(const cv::Mat& elevation,
                                       const std::vector<cv::Point>& markers) {
  if (elevation.type() != CV_32FC1) {
    throw Error("watershed_split_with_elevation: elevation is not CV_32F");
  }
  check_markers("watershed_split", markers, elevation.cols, elevation.rows);
  cv::Mat marker_image(elevation.size(), CV_32S, cv::Scalar(0));
  for (const cv::Point& m : markers) marker_image.at<int>(m) = 1;
  // Labels 1..K in raster order, as the authors' `points[points != 0] = arange(1, n + 1)`.
  int k = 0;
  for (int y = 0; y < elevation.rows; ++y) {
    int* row = marker_image.ptr<int>(y);
    for (int x = 0; x < elevation.cols; ++x) {
      if (row[x]) row[x] = ++k;
    }
  }
  if (k < 2) return cv::Mat(elevation.size(), CV_8U, cv::Scalar(0));
  return label_boundaries(watershed_labels(elevation, marker_image));
}

cv::Mat watershed_split(const cv::Mat& p, const std::vector<cv::Point>& markers) {
  if (p.type() != CV_32FC1) throw Error("watershed_split: probability map is not CV_32F");
  check_markers("watershed_split", markers, p.cols, p.rows);
  return watershed_split_with_elevation(black_top_hat(p), markers);
}

WatershedSplitter::WatershedSplitter(const cv::Mat& p) {
  if (p.type() != CV_32FC1) throw Error("WatershedSplitter: probability map is not CV_32F");
  elevation_ = black_top_hat(p);
  if (!elevation_.isContinuous()) elevation_ = elevation_.clone();
  const size_t n = elevation_.total();
  if (!any_nan(elevation_)) {
    ranks_ = dense_ranks(elevation_.ptr<float>(0), static_cast<int>(n), &rank_count_);
  }
}

std::vector<int64_t> WatershedSplitter::boundary_pixels(const std::vector<cv::Point>& markers,
                                                        const std::vector<int>* within) const {
  // Per-thread scratch, so that one splitter serves several threads at once.
  thread_local std::vector<int32_t> labels;
  thread_local std::vector<uint8_t> needed_map;
  thread_local std::vector<int32_t> marker_indices;
  thread_local FloodBuffers buffers;
  const int h = elevation_.rows, w = elevation_.cols;
  const int n = h * w;
  check_markers("WatershedSplitter", markers, w, h);
  if (within) {
    for (int i : *within) {
      if (i < 0 || i >= n) {
        throw Error("WatershedSplitter: pixel index " + std::to_string(i) + " lies outside the " +
                    std::to_string(w) + "x" + std::to_string(h) + " map");
      }
    }
  }
  // Labels 1..K in raster order of the distinct marker pixels.
  marker_indices.clear();
  for (const cv::Point& m : markers) marker_indices.push_back(m.y * w + m.x);
  std::sort(marker_indices.begin(), marker_indices.end());
  marker_indices.erase(std::unique(marker_indices.begin(), marker_indices.end()),
                        marker_indices.end());
  std::vector<int64_t> out;
  if (marker_indices.size() < 2) return out;

  labels.assign(n, 0);
  if (needed_map.size() != static_cast<size_t>(n)) needed_map.assign(n, 0);  // kept all zero
  int32_t* label = labels.data();
  for (size_t k = 0; k < marker_indices.size(); ++k) {
    label[marker_indices[k]] = static_cast<int32_t>(k + 1);
  }

  auto differs = [&](int i) {
    const int y = i / w, x = i - y * w;
    const int32_t v = label[i];
    return (x > 0 && label[i - 1] != v) || (x + 1 < w && label[i + 1] != v) ||
           (y > 0 && label[i - w] != v) || (y + 1 < h && label[i + w] != v);
  };

  if (!within) {
    flood(elevation_.ptr<float>(0), ranks(), rank_count_, h, w, label, marker_indices, nullptr, 0,
          buffers);
    for (int i = 0; i < n; ++i) {
      if (differs(i)) out.push_back(i);
    }
    return out;
  }

  // Only the labels of `within` and of their 4-neighbours are read.
  uint8_t* needed = needed_map.data();
  int64_t remaining = 0;
  auto need = [&](int i) {
    if (needed[i]) return;
    needed[i] = 1;
    if (label[i] == 0) ++remaining;
  };
  for (int i : *within) {
    const int y = i / w, x = i - y * w;
    need(i);
    if (y > 0) need(i - w);
    if (x > 0) need(i - 1);
    if (x + 1 < w) need(i + 1);
    if (y + 1 < h) need(i + w);
  }
  flood(elevation_.ptr<float>(0), ranks(), rank_count_, h, w, label, marker_indices, needed,
        remaining, buffers);
  for (int i : *within) {
    if (differs(i)) out.push_back(i);
  }
  // Leave `needed_map` all zero for the next call.
  for (int i : *within) {
    const int y = i / w, x = i - y * w;
    needed[i] = 0;
    if (y > 0) needed[i - w] = 0;
    if (x > 0) needed[i - 1] = 0;
    if (x + 1 < w) needed[i + 1] = 0;
    if (y + 1 < h) needed[i + w] = 0;
  }
  return out;
}

}  // namespace wisenet
