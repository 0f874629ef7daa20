#include "wisenet/loss/priority_flood.h"

#include <algorithm>

#include "wisenet/loss/skimage_heap.h"

namespace wisenet {
namespace {

using Item = FloodScratch::Item;

bool smaller(const Item& a, const Item& b) {
  return a.rank != b.rank ? a.rank < b.rank : a.age < b.age;
}

// The markers whose rank another marker has: the only items whose keys can tie.
size_t tied_markers(const std::vector<FloodMarker>& markers, std::vector<int32_t>* tied_ranks) {
  std::vector<int32_t> ranks;
  for (const FloodMarker& m : markers) ranks.push_back(m.rank);
  std::sort(ranks.begin(), ranks.end());
  size_t tied = 0;
  for (size_t k = 0; k < ranks.size(); ++k) {
    if ((k > 0 && ranks[k] == ranks[k - 1]) || (k + 1 < ranks.size() && ranks[k] == ranks[k + 1])) {
      ++tied;
      if (tied_ranks->empty() || tied_ranks->back() != ranks[k]) tied_ranks->push_back(ranks[k]);
    }
  }
  return tied;
}

// Phase 2 of a flood (see priority_flood), when every queued key (rank, age) is distinct.
class DistinctKeyFlood {
 public:
  DistinctKeyFlood(int32_t* cells, const FloodCells& grid, FloodScratch& scratch)
      : cells_(cells), grid_(grid), scratch_(scratch) {
    scratch.fifo.resize(grid.cells.size());
    fifo_ = scratch.fifo.data();
    scratch.queue.reset(grid.rank_count, static_cast<int>(grid.cells.size()));
  }

  // Queues `items`, sorted by key.
  void queue(const std::vector<Item>& items) {
    for (const Item& it : items) {
      if (it.rank == 0) {
        fifo_[tail_++] = it.cell;
      } else {
        scratch_.queue.push(it.rank, it.cell);
      }
    }
  }

  void run() { flood<false>(); }

  // With the needed cells; `ages` of the queued cells are in scratch.age and the next age
  // is `age`.
  void run_needed(const std::vector<int32_t>& needed, const uint8_t* needed_map, int64_t remaining,
                  int32_t age) {
    needed_ = &needed;
    needed_map_ = needed_map;
    remaining_ = remaining;
    age_ = age;
    flood<true>();
  }

 private:
  // Pops and expands until the queue is empty or, with kNeeded, the needed cells are labelled.
  template <bool kNeeded>
  void flood() {
    const int32_t stride = grid_.stride;
    // skimage visits the 4-neighbours in the order of its raveled offsets sorted by distance:
    // up, left, right, down.
    const int32_t offsets[4] = {-stride, -1, 1, stride};
    int32_t* const cells = cells_;
    int32_t* const fifo = fifo_;
    int32_t* const ages = kNeeded ? scratch_.age.data() : nullptr;
    BucketQueue& queue = scratch_.queue;
    const uint8_t* const needed_map = needed_map_;
    // Locals, not members: stores through `cells` could alias members and keep them in memory.
    size_t head = head_, tail = tail_;
    int64_t remaining = remaining_;
    int32_t age = age_;
    int64_t pops = 0, next_search = 1024;
    for (;;) {
      int32_t i;
      if (head < tail) {
        i = fifo[head++];
      } else if (!queue.empty()) {
        i = queue.pop();
      } else {
        return;
      }
      const int32_t label = cells[i];
      for (int32_t offset : offsets) {
        const int32_t n = i + offset;
        const int32_t v = cells[n];
        if (v >= 0) continue;  // labelled, wall or frame
        cells[n] = label;
        if (kNeeded) {
          remaining -= needed_map[n];
          ages[n] = ++age;
        }
        if (v == -1) {
          fifo[tail++] = n;
        } else {
          queue.push(-v - 1, n);
        }
      }
      if (kNeeded) {
        if (remaining == 0) return;
        if (++pops == next_search) {
          // A search costs at most an eighth of the pops so far.
          next_search *= 2;
          if (isolate_needed(pops / 8)) {
            head = head_;
            tail = tail_;
            next_search = -1;
          }
        }
      }
    }
  }

  // Restricting the flood. At any moment of the flood, a set R of unlabelled cells whose
  // 4-neighbours outside R are all labelled evolves on its own: a cell of R is reached only
  // from R or from its labelled rim, the rim cells are all still queued (a popped cell has no
  // unlabelled neighbour), no cell outside R or its rim is a neighbour of R, and the flood
  // always pops the smallest key, so the pops of R and its rim come in the order of their
  // keys among themselves whatever happens elsewhere. Hence the labels of R are those of a
  // flood of R alone from its rim, queued with their ranks and ages. R here is the union of
  // the unlabelled 4-connected regions of the needed cells still unlabelled, found within
  // `limit` cells; on success the queue is replaced by the rim and the rim's other unlabelled
  // neighbours become walls, and true is returned.
  bool isolate_needed(int64_t limit) {
    const int32_t stride = grid_.stride;
    const int32_t offsets[4] = {-stride, -1, 1, stride};
    std::vector<uint32_t>& stamp = scratch_.stamp;
    if (stamp.size() != grid_.cells.size()) {
      stamp.assign(grid_.cells.size(), 0);
      scratch_.search = 0;
    }
    if (scratch_.search >= 0xfffffff0u) {
      std::fill(stamp.begin(), stamp.end(), 0);
      scratch_.search = 0;
    }
    const uint32_t in_region = ++scratch_.search;
    const uint32_t on_rim = ++scratch_.search;
    std::vector<int32_t>& region = scratch_.region;
    region.clear();
    for (int32_t c : *needed_) {
      if (cells_[c] >= 0 || stamp[c] == in_region) continue;
      stamp[c] = in_region;
      region.push_back(c);
      for (size_t k = region.size() - 1; k < region.size(); ++k) {
        for (int32_t offset : offsets) {
          const int32_t n = region[k] + offset;
          if (cells_[n] >= 0 || stamp[n] == in_region) continue;
          stamp[n] = in_region;
          region.push_back(n);
        }
        if (static_cast<int64_t>(region.size()) > limit) return false;
      }
    }
    std::vector<Item> rim;
    for (int32_t c : region) {
      for (int32_t offset : offsets) {
        const int32_t n = c + offset;
        if (cells_[n] <= 0 || stamp[n] == on_rim) continue;
        stamp[n] = on_rim;
        rim.push_back({-grid_.cells[n] - 1, scratch_.age[n], n});
      }
    }
    for (const Item& it : rim) {
      for (int32_t offset : offsets) {
        const int32_t n = it.cell + offset;
        if (cells_[n] < 0 && stamp[n] != in_region) cells_[n] = 0;
      }
    }
    std::sort(rim.begin(), rim.end(), smaller);
    head_ = tail_ = 0;
    scratch_.queue.reset(grid_.rank_count, static_cast<int>(grid_.cells.size()));
    queue(rim);
    return true;
  }

  int32_t* cells_;
  const FloodCells& grid_;
  FloodScratch& scratch_;
  int32_t* fifo_;
  size_t head_ = 0, tail_ = 0;  // fifo_[head_, tail_): the queued rank-0 cells in age order
  const std::vector<int32_t>* needed_ = nullptr;
  const uint8_t* needed_map_ = nullptr;
  int64_t remaining_ = 0;
  int32_t age_ = 0;
};

}  // namespace

FloodCells flood_cells(const cv::Mat& elevation) {
  FloodCells grid;
  grid.height = elevation.rows;
  grid.width = elevation.cols;
  grid.stride = grid.width + 2;
  const int n = grid.height * grid.width;
  thread_local std::vector<int32_t> ranks;
  ranks.resize(n);
  dense_ranks(elevation.ptr<float>(0), n, ranks.data(), &grid.rank_count);
  grid.cells.assign(static_cast<size_t>(grid.height + 2) * grid.stride, 0);
  for (int y = 0; y < grid.height; ++y) {
    int32_t* row = grid.cells.data() + (y + 1) * grid.stride + 1;
    const int32_t* r = ranks.data() + y * grid.width;
    for (int x = 0; x < grid.width; ++x) row[x] = -(r[x] + 1);
  }
  return grid;
}

// Exactness of the fast queue. Only markers share an age (0), so keys tie only between
// markers of equal rank, and the order of those depends on the array heap's exact dynamics:
// until the last such marker is popped we run that heap as is (phase 1). From then on every
// queued key (rank, age) is distinct, the pop order is the total order of keys, and any
// structure that always pops the smallest key gives the same flood (phase 2): ages grow with
// push order, so a first-in-first-out list per rank stays sorted by age. Rank 0, the lowest
// (the black top-hat's plateaus of zeros, most of the map), gets a plain array as its list and
// is always served first; the other ranks share a bucket queue.
void priority_flood(int32_t* cells, const FloodCells& grid, const std::vector<FloodMarker>& markers,
                    const std::vector<int32_t>* needed, const uint8_t* needed_map,
                    FloodScratch& scratch) {
  int64_t remaining = 0;
  if (needed) {
    for (int32_t c : *needed) remaining += cells[c] < 0 ? 1 : 0;
    if (remaining == 0) return;
    scratch.age.resize(grid.cells.size());
  }
  const int stride = grid.stride;
  std::vector<Item>& heap = scratch.heap;
  heap.clear();
  for (const FloodMarker& m : markers) skimage_heap_push(heap, Item{m.rank, 0, m.cell}, smaller);
  std::vector<int32_t> tied_ranks;
  size_t markers_left = tied_markers(markers, &tied_ranks);
  int32_t age = 1;

  // Phase 1: the exact array heap while a tied marker is queued.
  const int32_t offsets[4] = {-stride, -1, 1, stride};
  while (markers_left > 0) {
    const Item item = skimage_heap_pop(heap, smaller);
    if (item.age == 0 && std::binary_search(tied_ranks.begin(), tied_ranks.end(), item.rank)) {
      --markers_left;
    }
    const int32_t label = cells[item.cell];
    for (int32_t offset : offsets) {
      const int32_t n = item.cell + offset;
      const int32_t v = cells[n];
      if (v >= 0) continue;
      cells[n] = label;
      ++age;
      if (needed) remaining -= needed_map[n];
      skimage_heap_push(heap, Item{-v - 1, age, n}, smaller);
    }
    if (needed && remaining == 0) return;
  }

  // Phase 2: the items left in the heap, in key order.
  std::sort(heap.begin(), heap.end(), smaller);
  DistinctKeyFlood flood(cells, grid, scratch);
  flood.queue(heap);
  if (needed) {
    for (const Item& it : heap) scratch.age[it.cell] = it.age;
    heap.clear();
    flood.run_needed(*needed, needed_map, remaining, age);
  } else {
    heap.clear();
    flood.run();
  }
}

}  // namespace wisenet
