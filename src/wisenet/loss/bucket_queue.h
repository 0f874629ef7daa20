#pragma once
// The flood's fast queue: items keyed by (integer bucket, insertion order), popped smallest
// first. A bucket is a first-in-first-out list; the lowest non-empty bucket is found through a
// hierarchical bitset, so push and pop cost a few word operations whatever the key order
// (keys need not be monotone, unlike a radix heap).
#include <cstdint>
#include <vector>

namespace wisenet {

// Dense ranks of float values: equal values (and -0, +0) share a rank, ranks run 0..R-1 in
// increasing value order. Requires: no NaN among `values`. Ensures: result.size() == n and
// *rank_count == R. Linear time (radix sort of the values' ordered bit patterns).
std::vector<int32_t> dense_ranks(const float* values, int n, int* rank_count);

class BucketQueue {
 public:
  // Empties the queue for buckets 0..buckets-1 and items 0..capacity-1.
  void reset(int buckets, int capacity);
  // Requires: 0 <= bucket < buckets, 0 <= item < capacity, `item` not queued.
  void push(int32_t bucket, int32_t item);
  bool empty() const { return levels_.empty() || levels_.back()[0] == 0; }
  // Requires: !empty(). The earliest pushed item of the lowest non-empty bucket.
  int32_t pop();

 private:
  std::vector<int32_t> head_, tail_, next_;
  // levels_[0]: one bit per bucket; levels_[k + 1]: one bit per word of levels_[k]; the last
  // level is one word.
  std::vector<std::vector<uint64_t>> levels_;
};

}  // namespace wisenet
