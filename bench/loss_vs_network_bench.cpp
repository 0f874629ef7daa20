// The LCFCN loss (all terms, blobs and watershed included, forward + backward) side by side
// with L-Net's forward + backward, at 256x256 and 512x512, with 5 and 50 points, 2 threads;
// also the loss through tensor operations (from probabilities) against the fused logits path.
// The loss should cost well under 10% of the network step for the small backbone at 256x256.
// BM_LossPart times the parts of the loss's plan on one thread, on the same scenes.
//   build/bench/loss_vs_network_bench   (scripts/bench.sh build loss_vs)
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <random>

#include "wisenet/loss/blobs.h"
#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/loss/watershed.h"
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

// The parts of the loss's plan on one thread (the plan runs them on two): 0 the blobs, 1 the
// black top-hat and its ranks (the splitter), 2 the global split's flood, 3 the local splits'
// floods, all blobs holding two or more points together. The label names the part.
void BM_LossPart(benchmark::State& state) {
  torch::set_num_threads(1);
  cv::setNumThreads(1);
  const Scene scene = make_scene(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const at::Tensor probabilities = torch::softmax(scene.logits[0], 0).contiguous();
  const int size = static_cast<int>(state.range(0));
  std::vector<cv::Mat> maps;
  for (int c = 0; c < 2; ++c) {
    maps.emplace_back(size, size, CV_32F, probabilities.data_ptr<float>() + c * size * size);
  }
  const wisenet::BlobMap blobs = wisenet::find_blobs(maps, scene.points);
  const wisenet::WatershedSplitter splitter(maps[1]);
  std::vector<cv::Point> markers;
  for (const wisenet::Point& p : scene.points) markers.emplace_back(p.x, p.y);
  const int part = static_cast<int>(state.range(2));
  for (auto _ : state) {
    if (part == 0) {
      benchmark::DoNotOptimize(wisenet::find_blobs(maps, scene.points).blobs.size());
    } else if (part == 1) {
      const wisenet::WatershedSplitter fresh(maps[1]);
      benchmark::DoNotOptimize(&fresh);
    } else if (part == 2) {
      benchmark::DoNotOptimize(splitter.boundary_pixels(markers).size());
    } else {
      for (const wisenet::Blob& blob : blobs.blobs) {
        if (blob.point_count() < 2) continue;
        std::vector<cv::Point> own;
        for (int i : blob.point_indices) own.push_back(markers[i]);
        benchmark::DoNotOptimize(splitter.boundary_pixels(own, &blob.pixels).size());
      }
    }
  }
  const char* names[] = {"blobs", "top-hat and ranks", "global flood", "local floods"};
  state.SetLabel(names[part]);
}
BENCHMARK(BM_LossPart)
    ->ArgsProduct({{256}, {5, 50}, {0, 1, 2, 3}})
    ->Unit(benchmark::kMillisecond);

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
