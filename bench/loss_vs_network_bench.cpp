// The LCFCN loss (all terms, blobs and watershed included, forward + backward) side by side
// with L-Net's forward + backward, at 256x256 and 512x512, with 5 and 50 points, 2 threads;
// also the loss through tensor operations (from probabilities) against the fused logits path.
// The loss should cost well under 10% of the network step for the small backbone at 256x256.
//   build/bench/loss_vs_network_bench   (scripts/bench.sh build loss_vs)
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <random>

#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/model/wisenet_model.h"

namespace {

// A single-class scene like a half-trained L-Net's output: one bump per point plus 20%
// unlabelled bumps (false positives), some touching (split terms).
struct Scene {
  at::Tensor logits;
  std::vector<wisenet::Point> points;
};

Scene make_scene(int size, int points) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> where(0.05f * size, 0.95f * size);
  const at::Tensor ys = torch::arange(size, torch::kFloat).view({size, 1});
  const at::Tensor xs = torch::arange(size, torch::kFloat).view({1, size});
  at::Tensor fg = torch::full({size, size}, -3.0f);
  const float sigma = size / 60.0f;
  Scene s;
  const int bumps = points + points / 5 + 1;
  for (int i = 0; i < bumps; ++i) {
    const float cx = where(rng), cy = where(rng);
    fg += 6.0f * torch::exp(-((xs - cx).pow(2) + (ys - cy).pow(2)) / (2 * sigma * sigma));
    if (i < points) s.points.push_back({static_cast<int>(cx), static_cast<int>(cy), 1});
  }
  s.logits = torch::stack({torch::zeros({size, size}), fg}).unsqueeze(0);
  return s;
}

void BM_Loss(benchmark::State& state) {
  torch::set_num_threads(2);
  cv::setNumThreads(2);
  const Scene scene = make_scene(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    state.PauseTiming();  // a fresh leaf per step; copying the input is not the loss's cost
    at::Tensor logits = scene.logits.clone().requires_grad_(true);
    state.ResumeTiming();
    const auto t = wisenet::lcfcn_loss_from_logits(logits, {scene.points});
    t.total.backward();
    benchmark::DoNotOptimize(logits.grad().data_ptr<float>());
  }
}
BENCHMARK(BM_Loss)->ArgsProduct({{256, 512}, {5, 50}})->Unit(benchmark::kMillisecond);

// The same loss evaluated with tensor operations (the probabilities path: softmax, log, one
// operation per term), for comparison with the single autograd node of the logits path.
void BM_LossTensorOps(benchmark::State& state) {
  torch::set_num_threads(2);
  cv::setNumThreads(2);
  const Scene scene = make_scene(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    at::Tensor logits = scene.logits.clone().requires_grad_(true);
    const auto t = wisenet::lcfcn_loss_from_probs(torch::softmax(logits, 1), {scene.points});
    t.total.backward();
    benchmark::DoNotOptimize(logits.grad().data_ptr<float>());
  }
}
BENCHMARK(BM_LossTensorOps)->ArgsProduct({{256, 512}, {5, 50}})->Unit(benchmark::kMillisecond);

void BM_NetworkForwardBackward(benchmark::State& state) {
  torch::set_num_threads(2);
  torch::manual_seed(0);
  wisenet::WiseNetOptions options;
  options.backbone = state.range(1) == 0 ? "small" : "resnet50";
  wisenet::WiseNet net(options);
  net->train();
  const int size = static_cast<int>(state.range(0));
  const at::Tensor x = torch::randn({1, 3, size, size});
  for (auto _ : state) {
    net->zero_grad();
    net->localize(x).sum().backward();
  }
  state.SetLabel(options.backbone);
}
BENCHMARK(BM_NetworkForwardBackward)
    ->ArgsProduct({{256, 512}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
