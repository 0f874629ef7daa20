// RLE throughput at 512x512: encode (from_mask), decode (to_mask), compressed string out and
// in, and mask IoU of two overlapping masks. Masks hold a few random ellipses (fixed seed).
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "wisenet/core/rle.h"
#include "wisenet/core/threads.h"

namespace wisenet {
namespace {

constexpr int kSide = 512;

cv::Mat random_mask(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pos(0, kSide - 1), axis(10, 90);
  cv::Mat m = cv::Mat::zeros(kSide, kSide, CV_8UC1);
  for (int i = 0; i < 5; ++i) {
    cv::ellipse(m, cv::Point(pos(rng), pos(rng)), cv::Size(axis(rng), axis(rng)), pos(rng) % 180, 0,
                360, cv::Scalar(1), cv::FILLED);
  }
  return m;
}

void BM_RleFromMask(benchmark::State& state) {
  set_threads(1);
  const cv::Mat m = random_mask(1);
  for (auto _ : state) benchmark::DoNotOptimize(Rle::from_mask(m));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kSide * kSide);
}

void BM_RleToMask(benchmark::State& state) {
  set_threads(1);
  const Rle r = Rle::from_mask(random_mask(1));
  for (auto _ : state) benchmark::DoNotOptimize(r.to_mask());
  state.SetItemsProcessed(state.iterations());
}

void BM_RleToString(benchmark::State& state) {
  set_threads(1);
  const Rle r = Rle::from_mask(random_mask(1));
  for (auto _ : state) benchmark::DoNotOptimize(r.to_string());
  state.SetItemsProcessed(state.iterations());
}

void BM_RleFromString(benchmark::State& state) {
  set_threads(1);
  const std::string s = Rle::from_mask(random_mask(1)).to_string();
  for (auto _ : state) benchmark::DoNotOptimize(Rle::from_string(kSide, kSide, s));
  state.SetItemsProcessed(state.iterations());
}

void BM_RleMaskIou(benchmark::State& state) {
  set_threads(1);
  const Rle a = Rle::from_mask(random_mask(1)), b = Rle::from_mask(random_mask(2));
  for (auto _ : state) benchmark::DoNotOptimize(mask_iou(a, b, false));
  state.SetItemsProcessed(state.iterations());
  state.counters["runs"] = static_cast<double>(a.counts().size() + b.counts().size());
}

BENCHMARK(BM_RleFromMask);
BENCHMARK(BM_RleToMask);
BENCHMARK(BM_RleToString);
BENCHMARK(BM_RleFromString);
BENCHMARK(BM_RleMaskIou);

}  // namespace
}  // namespace wisenet

BENCHMARK_MAIN();
