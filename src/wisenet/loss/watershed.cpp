#include "wisenet/loss/watershed.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/loss/priority_flood.h"
#include "wisenet/loss/skimage_heap.h"

namespace wisenet {
namespace {

// A pixel waiting in the exact heap of a map with NaN elevations.
struct NanFloodItem {
  float elevation;
  int32_t age;
  int32_t index;
};

// A NaN elevation makes the comparison no order at all, so no rank exists: such a map floods
// with skimage's array heap throughout, as skimage does. `label` (h x w): > 0 markers, < 0
// walls, 0 to fill; markers at `marker_indices` in raster order.
void flood_with_nan(const float* elev, int h, int w, int32_t* label,
                    const std::vector<int32_t>& marker_indices) {
  auto smaller = [](const NanFloodItem& a, const NanFloodItem& b) {
    if (a.elevation != b.elevation) return a.elevation < b.elevation;
    return a.age < b.age;
  };
  std::vector<NanFloodItem> heap;
  for (int32_t i : marker_indices) skimage_heap_push(heap, NanFloodItem{elev[i], 0, i}, smaller);
  int32_t age = 1;
  while (!heap.empty()) {
    const int i = skimage_heap_pop(heap, smaller).index;
    const int y = i / w, x = i - y * w;
    // skimage's neighbour order: up, left, right, down.
    const int neighbours[4] = {y > 0 ? i - w : -1, x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1,
                               y + 1 < h ? i + w : -1};
    for (int n : neighbours) {
      if (n < 0 || label[n] != 0) continue;
      label[n] = label[i];
      ++age;
      skimage_heap_push(heap, NanFloodItem{elev[n], age, n}, smaller);
    }
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
  const cv::Mat e = elevation.isContinuous() ? elevation : elevation.clone();
  int32_t* label = labels.ptr<int32_t>(0);
  std::vector<int32_t> marker_indices;
  for (int i = 0; i < h * w; ++i) {
    if (label[i] > 0) marker_indices.push_back(i);
  }
  if (any_nan(e)) {
    flood_with_nan(e.ptr<float>(0), h, w, label, marker_indices);
    return labels;
  }
  // Cells: markers keep their labels, walls (< 0) become 0 (never flooded) and are restored.
  FloodCells grid = flood_cells(e);
  std::vector<int32_t> cells = grid.cells;
  std::vector<FloodMarker> flood_markers;
  for (int i = 0; i < h * w; ++i) {
    const int32_t c = grid.cell_of(i);
    if (label[i] > 0) {
      flood_markers.push_back({c, -cells[c] - 1});
      cells[c] = label[i];
    } else if (label[i] < 0) {
      cells[c] = 0;
    }
  }
  FloodScratch scratch;
  priority_flood(cells.data(), grid, flood_markers, nullptr, nullptr, scratch);
  for (int i = 0; i < h * w; ++i) {
    const int32_t v = cells[grid.cell_of(i)];
    if (label[i] == 0) label[i] = v > 0 ? v : 0;  // unreachable pixels stay 0
  }
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
  has_nan_ = any_nan(elevation_);
  if (!has_nan_) grid_ = flood_cells(elevation_);
}

std::vector<int64_t> WatershedSplitter::boundary_pixels(const std::vector<cv::Point>& markers,
                                                        const std::vector<int>* within) const {
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
  std::vector<int32_t> marker_indices;
  for (const cv::Point& m : markers) marker_indices.push_back(m.y * w + m.x);
  std::sort(marker_indices.begin(), marker_indices.end());
  marker_indices.erase(std::unique(marker_indices.begin(), marker_indices.end()),
                       marker_indices.end());
  std::vector<int64_t> out;
  if (marker_indices.size() < 2) return out;
  if (has_nan_) return boundary_pixels_with_nan(marker_indices, within);

  // Per-thread scratch, so that one splitter serves several threads at once; `needed_map` is
  // left all zero after each call.
  thread_local std::vector<int32_t> cell_buffer;
  thread_local std::vector<uint8_t> needed_map;
  thread_local std::vector<int32_t> needed_cells;
  thread_local FloodScratch scratch;
  const int stride = grid_.stride;
  cell_buffer = grid_.cells;
  int32_t* cells = cell_buffer.data();
  std::vector<FloodMarker> flood_markers;
  for (size_t k = 0; k < marker_indices.size(); ++k) {
    const int32_t c = grid_.cell_of(marker_indices[k]);
    flood_markers.push_back({c, -cells[c] - 1});
    cells[c] = static_cast<int32_t>(k + 1);
  }
  // Whether pixel i's label differs from a 4-neighbour's (the frame is not a neighbour).
  auto differs = [&](int i) {
    const int y = i / w, x = i - y * w;
    const int32_t* c = cells + (y + 1) * stride + x + 1;
    const int32_t v = *c;
    return (x > 0 && c[-1] != v) || (x + 1 < w && c[1] != v) || (y > 0 && c[-stride] != v) ||
           (y + 1 < h && c[stride] != v);
  };

  if (!within) {
    priority_flood(cells, grid_, flood_markers, nullptr, nullptr, scratch);
    thread_local std::vector<uint8_t> row_flags;
    row_flags.resize(w);
    for (int y = 0; y < h; ++y) {
      const int32_t* c = cells + (y + 1) * stride + 1;
      // Outside the map a pixel compares with itself (the frame is no neighbour), so the
      // middle of a row is one branch-free loop.
      const int32_t* up = y > 0 ? c - stride : c;
      const int32_t* down = y + 1 < h ? c + stride : c;
      uint8_t* f = row_flags.data();
      for (int x = 0; x < w; ++x) f[x] = (c[x] != up[x]) | (c[x] != down[x]);
      for (int x = 1; x + 1 < w; ++x) f[x] |= (c[x] != c[x - 1]) | (c[x] != c[x + 1]);
      if (w > 1) {
        f[0] |= c[0] != c[1];
        f[w - 1] |= c[w - 1] != c[w - 2];
      }
      for (int x = 0; x < w; ++x) {
        if (f[x]) out.push_back(static_cast<int64_t>(y) * w + x);
      }
    }
    return out;
  }

  // Only the labels of `within` and of their 4-neighbours are read.
  if (needed_map.size() != grid_.cells.size()) needed_map.assign(grid_.cells.size(), 0);
  uint8_t* needed = needed_map.data();
  needed_cells.clear();
  auto need = [&](int32_t c) {
    if (needed[c]) return;
    needed[c] = 1;
    needed_cells.push_back(c);
  };
  for (int i : *within) {
    const int y = i / w, x = i - y * w;
    const int32_t c = (y + 1) * stride + x + 1;
    need(c);
    if (y > 0) need(c - stride);
    if (x > 0) need(c - 1);
    if (x + 1 < w) need(c + 1);
    if (y + 1 < h) need(c + stride);
  }
  priority_flood(cells, grid_, flood_markers, &needed_cells, needed, scratch);
  for (int i : *within) {
    if (differs(i)) out.push_back(i);
  }
  for (int32_t c : needed_cells) needed[c] = 0;
  return out;
}

std::vector<int64_t> WatershedSplitter::boundary_pixels_with_nan(
    const std::vector<int32_t>& marker_indices, const std::vector<int>* within) const {
  const int h = elevation_.rows, w = elevation_.cols;
  std::vector<int32_t> label(static_cast<size_t>(h) * w, 0);
  for (size_t k = 0; k < marker_indices.size(); ++k) {
    label[marker_indices[k]] = static_cast<int32_t>(k + 1);
  }
  flood_with_nan(elevation_.ptr<float>(0), h, w, label.data(), marker_indices);
  auto differs = [&](int i) {
    const int y = i / w, x = i - y * w;
    const int32_t v = label[i];
    return (x > 0 && label[i - 1] != v) || (x + 1 < w && label[i + 1] != v) ||
           (y > 0 && label[i - w] != v) || (y + 1 < h && label[i + w] != v);
  };
  std::vector<int64_t> out;
  if (within) {
    for (int i : *within) {
      if (differs(i)) out.push_back(i);
    }
  } else {
    for (int i = 0; i < h * w; ++i) {
      if (differs(i)) out.push_back(i);
    }
  }
  return out;
}

}  // namespace wisenet
