#pragma once
// The flood's fast queue: items keyed by (integer bucket, insertion order), popped smallest
// first. A bucket is a first-in-first-out list; the lowest non-empty bucket is found through a
// hierarchical bitset, so push and pop cost a few word operations whatever the key order
// (keys need not be monotone, unlike a radix heap).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wisenet {

// Dense ranks of float values: equal values (and -0, +0) share a rank, ranks run 0..R-1 in
// increasing value order. Requires: no NaN among `values`. Ensures: result.size() == n and
// *rank_count == R. Linear time (radix sort of the values' ordered bit patterns).
std::vector<int32_t> dense_ranks(const float* values, int n, int* rank_count);

// The same into `ranks` (n entries). Sorting scratch is kept per thread; when no value is
// negative, the zeros (often most of a black top-hat) take rank 0 without being sorted.
void dense_ranks(const float* values, int n, int32_t* ranks, int* rank_count);

class BucketQueue {
 public:
  // Empties the queue for buckets 0..buckets-1 and items 0..capacity-1. Costs O(buckets) the
  // first time or when `buckets` changes, else O(non-empty buckets).
  void reset(int buckets, int capacity);
  // Requires: 0 <= bucket < buckets, 0 <= item < capacity, `item` not queued.
  void push(int32_t bucket, int32_t item) {
    next_[item] = -1;
    const int32_t tail = tail_[bucket];
    tail_[bucket] = item;
    if (tail >= 0) {
      next_[tail] = item;
      return;
    }
    head_[bucket] = item;
    // Mark the bucket non-empty, up the levels while a word was empty.
    uint32_t bit = static_cast<uint32_t>(bucket);
    for (int k = 0; k < depth_; ++k) {
      uint64_t& word = level_[k][bit / 64];
      const uint64_t before = word;
      word = before | (uint64_t{1} << (bit % 64));
      if (before != 0) break;
      bit /= 64;
    }
  }
  bool empty() const { return depth_ == 0 || *level_[depth_ - 1] == 0; }
  // Requires: !empty(). The earliest pushed item of the lowest non-empty bucket.
  int32_t pop() {
    uint32_t bucket = 0;
    for (int k = depth_ - 1; k >= 0; --k) {
      bucket = bucket * 64 + static_cast<uint32_t>(__builtin_ctzll(level_[k][bucket]));
    }
    const int32_t item = head_[bucket];
    const int32_t next = next_[item];
    head_[bucket] = next;
    if (next < 0) {
      tail_[bucket] = -1;
      uint32_t bit = bucket;
      for (int k = 0; k < depth_; ++k) {
        uint64_t& word = level_[k][bit / 64];
        word &= ~(uint64_t{1} << (bit % 64));
        if (word != 0) break;
        bit /= 64;
      }
    }
    return item;
  }

 private:
  static constexpr int kMaxDepth = 6;  // 64^6 buckets
  std::vector<int32_t> head_, tail_, next_;
  // The levels, in one array: level_[0] has one bit per bucket, level_[k + 1] one bit per
  // word of level_[k]; the last level is one word.
  std::vector<uint64_t> bits_;
  uint64_t* level_[kMaxDepth] = {};
  int depth_ = 0;
  int buckets_ = -1;
};

}  // namespace wisenet
