// Seconds per image of generate_proposals (default options, one thread) on a synthetic scene
// of coloured discs on a textured background, at 256x256 and 512x512: cold (generated) and
// cached (read back from the disk cache).
#include <benchmark/benchmark.h>

#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "wisenet/core/threads.h"
#include "wisenet/proposals/proposal_cache.h"
#include "wisenet/proposals/selective_search.h"

namespace {

cv::Mat scene(int size) {
  cv::Mat image(size, size, CV_8UC3);
  cv::RNG random(1234);
  random.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(80), cv::Scalar::all(130));
  std::mt19937 place(99);
  std::uniform_int_distribution<int> coord(0, size - 1), radius(size / 40, size / 12),
      colour(0, 255);
  for (int i = 0; i < 30; ++i) {
    cv::circle(image, {coord(place), coord(place)}, radius(place),
               cv::Scalar(colour(place), colour(place), colour(place)), cv::FILLED);
  }
  return image;
}

void BM_GenerateProposals(benchmark::State& state) {
  wisenet::set_threads(1);
  const cv::Mat image = scene(static_cast<int>(state.range(0)));
  size_t count = 0;
  for (auto _ : state) {
    const auto proposals = wisenet::generate_proposals(image);
    count = proposals.size();
    benchmark::DoNotOptimize(proposals.data());
  }
  state.counters["proposals"] = static_cast<double>(count);
}
BENCHMARK(BM_GenerateProposals)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same image through the disk cache once its entry exists (read + decode + checks).
void BM_CachedProposals(benchmark::State& state) {
  wisenet::set_threads(1);
  const cv::Mat image = scene(static_cast<int>(state.range(0)));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("wisenet_bench_cache_" + std::to_string(state.range(0)));
  std::filesystem::remove_all(dir);
  const wisenet::ProposalCache cache(dir.string(), wisenet::ProposalOptions{});
  cache.get(image);  // cold: computes and stores
  size_t count = 0;
  for (auto _ : state) {
    bool computed = true;
    const auto proposals = cache.get(image, &computed);
    if (computed) state.SkipWithError("cache miss on a stored entry");
    count = proposals.size();
    benchmark::DoNotOptimize(proposals.data());
  }
  state.counters["proposals"] = static_cast<double>(count);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CachedProposals)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
