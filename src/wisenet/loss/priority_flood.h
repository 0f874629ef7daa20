#pragma once
// The priority-flood of the LCFCN watershed (wisenet.md section 3) on integer cells: the
// elevations replaced by their dense ranks, the map framed by one cell that is never flooded
// (so a pixel's 4-neighbours need no bounds check), and labels written into the same cells.
//
// Usage:
//   FloodCells grid = flood_cells(elevation);          // once per map
//   std::vector<int32_t> cells = grid.cells;           // per flood: label the markers, then
//   cells[c] = 1; ... priority_flood(cells.data(), grid, markers, nullptr, 0, scratch);
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/loss/bucket_queue.h"

namespace wisenet {

// An h x w map as (h + 2) x (w + 2) cells, row-major: pixel (x, y) is cell
// (y + 1) * stride + x + 1. A cell holds a label (> 0), 0 (the frame, or a wall: never
// flooded) or, while unlabelled, -(r + 1) where r is the dense rank of its elevation.
struct FloodCells {
  int height = 0, width = 0, stride = 0;
  int rank_count = 0;
  std::vector<int32_t> cells;  // every map cell unlabelled
  int32_t cell_of(int pixel) const {
    const int y = pixel / width;
    return (y + 1) * stride + (pixel - y * width) + 1;
  }
};

// The cells of `elevation` (CV_32F, continuous, no NaN), all unlabelled.
FloodCells flood_cells(const cv::Mat& elevation);

// A marker's cell and the rank of its elevation.
struct FloodMarker {
  int32_t cell;
  int32_t rank;
};

// What a flood allocates, kept between floods (one per thread).
struct FloodScratch {
  struct Item {
    int32_t rank, age, cell;
  };
  std::vector<Item> heap;
  std::vector<int32_t> fifo;
  BucketQueue queue;
  std::vector<int32_t> age;      // per cell, the age it was pushed with (needed floods only)
  std::vector<uint32_t> stamp;   // per cell, the region search that reached it
  uint32_t search = 0;
  std::vector<int32_t> region;   // the cells of the last region search
};

// Floods `cells` (grid.cells with the marker cells already set to their labels > 0; other
// cells may be set to 0 as walls) from `markers` (in raster order) exactly as skimage's
// watershed: a pixel takes the label of the pixel that first reaches it; markers are pushed
// first with age 0, then every newly reached pixel with age 2, 3, ...; pops in (elevation,
// age) order, ties between markers broken by skimage's array heap.
// With `needed` (distinct cells whose labels are wanted; `needed_map` has one byte per cell,
// 1 on them, 0 elsewhere) only their labels are promised: the flood stops once they are all
// labelled (labels never change once given), and it may leave other cells unlabelled, label
// them arbitrarily or turn them into walls.
void priority_flood(int32_t* cells, const FloodCells& grid, const std::vector<FloodMarker>& markers,
                    const std::vector<int32_t>* needed, const uint8_t* needed_map,
                    FloodScratch& scratch);

}  // namespace wisenet
