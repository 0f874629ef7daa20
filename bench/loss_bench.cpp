// Time of the LCFCN loss (forward + backward) and of the watershed split alone, at image
// size x thread count.
//   build-*/bench/loss_bench
// On a shared, loaded machine libgomp's spin-waiting inflates the loss's CPU time; set
// OMP_WAIT_POLICY=PASSIVE there.
#include <random>

#include <benchmark/benchmark.h>
#include <torch/torch.h>
#include <opencv2/core.hpp>

#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/loss/watershed.h"

namespace {

constexpr int kPoints = 30;

// A single-class map of 36 Gaussian bumps (some touching) with noise; points on 30 of them,
// so the loss meets right blobs, blobs to split and false positives, as in training.
struct Scene {
  at::Tensor logits;  // 2 x size x size
  std::vector<wisenet::Point> points;
};

Scene make_scene(int size) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> where(0.05f * size, 0.95f * size);
  torch::manual_seed(5);
  at::Tensor fg = torch::full({size, size}, -3.0f);
  const at::Tensor ys = torch::arange(size, torch::kFloat).view({size, 1});
  const at::Tensor xs = torch::arange(size, torch::kFloat).view({1, size});
  const float sigma = size / 40.0f;
  Scene s;
  for (int i = 0; i < 36; ++i) {
    const float cx = where(rng), cy = where(rng);
    fg += 6.0f * torch::exp(-((xs - cx).pow(2) + (ys - cy).pow(2)) / (2 * sigma * sigma));
    if (i < kPoints) s.points.push_back({static_cast<int>(cx), static_cast<int>(cy), 1});
  }
  fg += 0.5f * torch::randn({size, size});
  s.logits = torch::stack({torch::zeros({size, size}), fg});
  return s;
}

void BM_LcfcnLossForwardBackward(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(state.range(1)));
  cv::setNumThreads(static_cast<int>(state.range(1)));
  const Scene scene = make_scene(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    at::Tensor logits = scene.logits.clone().requires_grad_(true);
    const wisenet::LcfcnTerms t = wisenet::lcfcn_loss_from_logits(logits, scene.points);
    t.total.backward();
    benchmark::DoNotOptimize(logits.grad().data_ptr<float>());
  }
}
BENCHMARK(BM_LcfcnLossForwardBackward)
    ->ArgsProduct({{256, 512}, {1, 2}})
    ->Unit(benchmark::kMillisecond);

void BM_WatershedSplit(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(state.range(1)));
  cv::setNumThreads(static_cast<int>(state.range(1)));
  const Scene scene = make_scene(static_cast<int>(state.range(0)));
  const at::Tensor p = torch::softmax(scene.logits, 0)[1].contiguous();
  const cv::Mat map(static_cast<int>(p.size(0)), static_cast<int>(p.size(1)), CV_32F,
                    p.data_ptr<float>());
  std::vector<cv::Point> markers;
  for (const auto& q : scene.points) markers.emplace_back(q.x, q.y);
  for (auto _ : state) {
    const cv::Mat boundary = wisenet::watershed_split(map, markers);
    benchmark::DoNotOptimize(boundary.data);
  }
}
BENCHMARK(BM_WatershedSplit)->ArgsProduct({{256, 512}, {1, 2}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
