#include "wisenet/loss/bucket_queue.h"

#include <algorithm>
#include <cstring>

namespace wisenet {

namespace {

// A float's bits mapped to a uint32 with the same order (-0 and +0 equal).
uint32_t ordered_bits(float f) {
  if (f == 0.f) f = 0.f;
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

}  // namespace

std::vector<int32_t> dense_ranks(const float* values, int n, int* rank_count) {
  // Each item is (ordered key << 32 | index); an LSD radix sort on the key's three 11-bit
  // digits (a pass where every key has the same digit is skipped) is stable, so equal keys
  // keep index order. The three histograms come from one read of the keys; 2048 counters a
  // digit stay in the L1 cache.
  constexpr int kBits = 11, kDigits = 3, kBuckets = 1 << kBits;
  std::vector<uint64_t> items(n), tmp(n);
  std::vector<int> count(kDigits * kBuckets, 0);
  for (int i = 0; i < n; ++i) {
    const uint32_t key = ordered_bits(values[i]);
    items[i] = (static_cast<uint64_t>(key) << 32) | static_cast<uint32_t>(i);
    for (int d = 0; d < kDigits; ++d) ++count[d * kBuckets + ((key >> (d * kBits)) & (kBuckets - 1))];
  }
  for (int d = 0; d < kDigits; ++d) {
    int* c = count.data() + d * kBuckets;
    const int shift = 32 + d * kBits;
    if (n == 0 || c[(items[0] >> shift) & (kBuckets - 1)] == n) continue;
    int sum = 0;
    for (int b = 0; b < kBuckets; ++b) {
      const int k = c[b];
      c[b] = sum;
      sum += k;
    }
    for (int i = 0; i < n; ++i) tmp[c[(items[i] >> shift) & (kBuckets - 1)]++] = items[i];
    items.swap(tmp);
  }
  std::vector<int32_t> rank(n);
  int32_t r = -1;
  uint32_t previous = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t key = static_cast<uint32_t>(items[i] >> 32);
    if (i == 0 || key != previous) ++r;
    previous = key;
    rank[static_cast<uint32_t>(items[i])] = r;
  }
  *rank_count = r + 1;
  return rank;
}

void BucketQueue::reset(int buckets, int capacity) {
  head_.assign(buckets, -1);
  tail_.assign(buckets, -1);
  next_.resize(capacity);
  levels_.clear();
  size_t bits = static_cast<size_t>(buckets > 0 ? buckets : 1);
  do {
    const size_t words = (bits + 63) / 64;
    levels_.emplace_back(words, 0);
    bits = words;
  } while (bits > 1);
}

void BucketQueue::push(int32_t bucket, int32_t item) {
  next_[item] = -1;
  if (tail_[bucket] >= 0) {
    next_[tail_[bucket]] = item;
    tail_[bucket] = item;
    return;
  }
  head_[bucket] = tail_[bucket] = item;
  size_t bit = static_cast<size_t>(bucket);
  for (auto& level : levels_) {
    uint64_t& word = level[bit / 64];
    const bool was_empty = word == 0;
    word |= uint64_t{1} << (bit % 64);
    if (!was_empty) break;
    bit /= 64;
  }
}

int32_t BucketQueue::pop() {
  size_t bucket = 0;
  for (size_t k = levels_.size(); k-- > 0;) {
    bucket = bucket * 64 + static_cast<size_t>(__builtin_ctzll(levels_[k][bucket]));
  }
  const int32_t item = head_[bucket];
  head_[bucket] = next_[item];
  if (head_[bucket] < 0) {
    tail_[bucket] = -1;
    size_t bit = bucket;
    for (auto& level : levels_) {
      uint64_t& word = level[bit / 64];
      word &= ~(uint64_t{1} << (bit % 64));
      if (word != 0) break;
      bit /= 64;
    }
  }
  return item;
}

}  // namespace wisenet
