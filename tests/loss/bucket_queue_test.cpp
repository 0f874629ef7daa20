#include "wisenet/loss/bucket_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

namespace wisenet {
namespace {

TEST(DenseRanks, EqualValuesShareARankInValueOrder) {
  const std::vector<float> v = {0.5f, -0.f, 0.f, -1.f, 0.5f, 2.f, 1e-30f};
  int count = 0;
  const std::vector<int32_t> r = dense_ranks(v.data(), static_cast<int>(v.size()), &count);
  EXPECT_EQ(count, 5);
  EXPECT_EQ(r, (std::vector<int32_t>{3, 1, 1, 0, 3, 4, 2}));
}

TEST(DenseRanks, MatchesSortingOnRandomValues) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pick(-50, 50);
  std::vector<float> v(70000);
  for (float& x : v) x = pick(rng) * 0.37f;
  int count = 0;
  const std::vector<int32_t> r = dense_ranks(v.data(), static_cast<int>(v.size()), &count);
  std::vector<float> distinct = v;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  ASSERT_EQ(count, static_cast<int>(distinct.size()));
  for (size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(r[i], std::lower_bound(distinct.begin(), distinct.end(), v[i]) - distinct.begin());
  }
}

// Interleaved pushes and pops against a plain ordered set of (bucket, push order, item).
TEST(BucketQueue, PopsLowestBucketFirstInFirstOut) {
  std::mt19937 rng(5);
  const int buckets = 5000, items = 20000;
  BucketQueue queue;
  queue.reset(buckets, items);
  std::vector<std::tuple<int, int, int>> reference;
  int pushed = 0, order = 0;
  std::uniform_int_distribution<int> bucket(0, buckets - 1);
  while (pushed < items || !reference.empty()) {
    if (pushed < items && (reference.empty() || rng() % 3 != 0)) {
      const int b = bucket(rng);
      queue.push(b, pushed);
      reference.emplace_back(b, order++, pushed);
      ++pushed;
    } else {
      ASSERT_FALSE(queue.empty());
      const auto smallest = std::min_element(reference.begin(), reference.end());
      ASSERT_EQ(queue.pop(), std::get<2>(*smallest));
      reference.erase(smallest);
    }
  }
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace wisenet
