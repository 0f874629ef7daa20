// L-Net inference time, libtorch against the exported ONNX graph run by OpenCV dnn, per
// backbone at 1×3×256² and 1×3×512², 2 threads (the softmax is included on both sides).
// Run: build/bench/onnx_bench
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <memory>
#include <opencv2/core.hpp>

#include "wisenet/deploy/onnx_export.h"
#include "wisenet/deploy/onnx_runner.h"

namespace {

namespace fs = std::filesystem;

const char* const kBackbones[] = {"small", "resnet18", "resnet50"};

struct Exported {
  wisenet::WiseNet net{nullptr};
  std::unique_ptr<wisenet::OnnxRunner> runner;
};

// One random model per backbone, exported once to a temporary folder.
Exported& exported(int64_t index) {
  static std::map<int64_t, Exported> cache;
  auto it = cache.find(index);
  if (it != cache.end()) return it->second;
  torch::set_num_threads(2);
  cv::setNumThreads(2);
  torch::manual_seed(0);
  wisenet::WiseNetOptions options;
  options.backbone = kBackbones[index];
  Exported e;
  e.net = wisenet::WiseNet(options);
  e.net->eval();
  wisenet::DeployConfig config;
  config.model = options;
  config.classes.category_ids = {1};
  config.classes.names = {"object"};
  const fs::path dir = fs::temp_directory_path() / ("wisenet_onnx_bench_" + std::string(kBackbones[index]));
  wisenet::export_onnx(*e.net, config, dir.string());
  e.runner = std::make_unique<wisenet::OnnxRunner>(dir.string());
  return cache.emplace(index, std::move(e)).first->second;
}

std::string label(const benchmark::State& state) {
  return std::string(kBackbones[state.range(0)]) + " " + std::to_string(state.range(1)) + "²";
}

void BM_LNetLibtorch(benchmark::State& state) {
  Exported& e = exported(state.range(0));
  state.SetLabel(label(state));
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({1, 3, state.range(1), state.range(1)});
  for (auto _ : state) {
    benchmark::DoNotOptimize(torch::softmax(e.net->localize(x), 1).data_ptr());
  }
}

void BM_LNetOpenCvDnn(benchmark::State& state) {
  Exported& e = exported(state.range(0));
  state.SetLabel(label(state));
  const int s = static_cast<int>(state.range(1));
  cv::Mat blob(std::vector<int>{1, 3, s, s}, CV_32F);
  cv::randn(blob, 0, 1);
  e.runner->probabilities(blob);  // imports the graph for this size outside the timing
  for (auto _ : state) {
    benchmark::DoNotOptimize(e.runner->probabilities(blob).data);
  }
}

BENCHMARK(BM_LNetLibtorch)
    ->ArgsProduct({{0, 1, 2}, {256, 512}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);
BENCHMARK(BM_LNetOpenCvDnn)
    ->ArgsProduct({{0, 1, 2}, {256, 512}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
