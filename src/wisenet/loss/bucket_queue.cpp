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
  std::vector<uint32_t> key(n), key_tmp(n);
  std::vector<int32_t> order(n), order_tmp(n);
  for (int i = 0; i < n; ++i) {
    key[i] = ordered_bits(values[i]);
    order[i] = i;
  }
  // LSD radix sort, 16 bits a pass (a pass where every key has the same digit is skipped);
  // stable, so equal keys keep index order.
  std::vector<int> count(65537);
  for (int shift = 0; shift < 32; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (int i = 0; i < n; ++i) ++count[((key[i] >> shift) & 0xFFFF) + 1];
    if (n > 0 && count[((key[0] >> shift) & 0xFFFF) + 1] == n) continue;
    for (int b = 0; b < 65536; ++b) count[b + 1] += count[b];
    for (int i = 0; i < n; ++i) {
      const int slot = count[(key[i] >> shift) & 0xFFFF]++;
      key_tmp[slot] = key[i];
      order_tmp[slot] = order[i];
    }
    key.swap(key_tmp);
    order.swap(order_tmp);
  }
  std::vector<int32_t> rank(n);
  int32_t r = -1;
  for (int i = 0; i < n; ++i) {
    if (i == 0 || key[i] != key[i - 1]) ++r;
    rank[order[i]] = r;
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
