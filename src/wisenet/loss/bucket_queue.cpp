#include "wisenet/loss/bucket_queue.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace wisenet {

namespace {

// A float's bits mapped to a uint32 with the same order (-0 and +0 equal).
uint32_t ordered_bits(float f) {
  if (f == 0.f) f = 0.f;
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

constexpr uint32_t kZeroKey = 0x80000000u;  // ordered_bits(0.f)

// Sorts items[0, n) (ordered key << 32 | index) by key, equal keys in index order: an LSD
// radix sort on the key's three 11-bit digits (a pass where every key has the same digit is
// skipped), stable, ping-ponging with `tmp` (n entries). Returns the array that holds the
// sorted items. The three histograms come from one read of the keys; 2048 counters a digit
// stay in the L1 cache.
uint64_t* radix_sort(uint64_t* items, size_t n, uint64_t* tmp) {
  constexpr int kBits = 11, kDigits = 3, kBuckets = 1 << kBits;
  if (n < 2) return items;
  int count[kDigits * kBuckets] = {};
  for (size_t k = 0; k < n; ++k) {
    const uint32_t key = static_cast<uint32_t>(items[k] >> 32);
    for (int d = 0; d < kDigits; ++d) ++count[d * kBuckets + ((key >> (d * kBits)) & (kBuckets - 1))];
  }
  for (int d = 0; d < kDigits; ++d) {
    int* c = count + d * kBuckets;
    const int shift = 32 + d * kBits;
    if (c[(items[0] >> shift) & (kBuckets - 1)] == static_cast<int>(n)) continue;
    int sum = 0;
    for (int b = 0; b < kBuckets; ++b) {
      const int k = c[b];
      c[b] = sum;
      sum += k;
    }
    for (size_t k = 0; k < n; ++k) tmp[c[(items[k] >> shift) & (kBuckets - 1)]++] = items[k];
    std::swap(items, tmp);
  }
  return items;
}

}  // namespace

void dense_ranks(const float* values, int n, int32_t* ranks, int* rank_count) {
  // Scratch kept per thread: fresh half-megabyte buffers on every call cost more in page
  // faults than the sort itself. Sized, never shrunk, so that no call clears it.
  thread_local std::vector<uint64_t> buffer, spare;
  if (buffer.size() < static_cast<size_t>(n)) {
    buffer.resize(n);
    spare.resize(n);
  }
  // No NaN, so comparing floats is comparing keys: x < 0 exactly when its key is below 0's,
  // and -0 == 0. Branch-free, so the compiler vectorizes it.
  uint8_t negative = 0, zero = 0;
  for (int i = 0; i < n; ++i) {
    negative |= values[i] < 0.f;
    zero |= values[i] == 0.f;
  }
  // With no negative value, 0 (if present) is the smallest and takes rank 0; only the other
  // values need sorting, and they rank from 1.
  const bool zeros_first = zero && !negative;
  uint64_t* items = buffer.data();
  size_t m = 0;
  for (int i = 0; i < n; ++i) {
    if (zeros_first && values[i] == 0.f) {
      ranks[i] = 0;
      continue;
    }
    items[m++] = (static_cast<uint64_t>(ordered_bits(values[i])) << 32) | static_cast<uint32_t>(i);
  }
  items = radix_sort(items, m, spare.data());
  int32_t r = zeros_first ? 0 : -1;
  uint32_t previous = kZeroKey;
  for (size_t k = 0; k < m; ++k) {
    const uint32_t key = static_cast<uint32_t>(items[k] >> 32);
    if ((k == 0 && !zeros_first) || key != previous) ++r;
    previous = key;
    ranks[static_cast<uint32_t>(items[k])] = r;
  }
  *rank_count = r + 1;
}

std::vector<int32_t> dense_ranks(const float* values, int n, int* rank_count) {
  std::vector<int32_t> ranks(n);
  dense_ranks(values, n, ranks.data(), rank_count);
  return ranks;
}

void BucketQueue::reset(int buckets, int capacity) {
  if (next_.size() < static_cast<size_t>(capacity)) next_.resize(capacity);
  if (buckets == buckets_) {
    // Empty the non-empty buckets only (a stopped flood leaves some).
    uint64_t* bits = level_[0];
    const size_t words = (static_cast<size_t>(buckets > 0 ? buckets : 1) + 63) / 64;
    for (size_t word = 0; word < words; ++word) {
      while (bits[word] != 0) {
        const size_t b = word * 64 + static_cast<size_t>(__builtin_ctzll(bits[word]));
        head_[b] = tail_[b] = -1;
        bits[word] &= bits[word] - 1;
      }
    }
    std::fill(bits_.begin() + static_cast<std::ptrdiff_t>(words), bits_.end(), 0);
    return;
  }
  buckets_ = buckets;
  head_.assign(buckets, -1);
  tail_.assign(buckets, -1);
  std::vector<size_t> sizes;
  size_t count = static_cast<size_t>(buckets > 0 ? buckets : 1);
  do {
    count = (count + 63) / 64;
    sizes.push_back(count);
  } while (count > 1);
  if (sizes.size() > static_cast<size_t>(kMaxDepth)) {
    throw std::length_error("BucketQueue: too many buckets");
  }
  size_t total = 0;
  for (size_t words : sizes) total += words;
  bits_.assign(total, 0);
  depth_ = static_cast<int>(sizes.size());
  size_t offset = 0;
  for (int k = 0; k < depth_; ++k) {
    level_[k] = bits_.data() + offset;
    offset += sizes[k];
  }
}

}  // namespace wisenet
