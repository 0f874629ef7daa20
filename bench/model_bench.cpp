// L-Net forward and forward+backward time per backbone at 1×3×256×256 on 2 threads.
// Run: build/bench/model_bench
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "wisenet/model/wisenet_model.h"

namespace {

const char* const kBackbones[] = {"small", "resnet18", "resnet34", "resnet50"};

wisenet::WiseNet make_net(int64_t backbone_index) {
  torch::set_num_threads(2);
  torch::manual_seed(0);
  wisenet::WiseNetOptions options;
  options.backbone = kBackbones[backbone_index];
  options.num_classes = 1;
  return wisenet::WiseNet(options);
}

void BM_LNetForward(benchmark::State& state) {
  wisenet::WiseNet net = make_net(state.range(0));
  state.SetLabel(kBackbones[state.range(0)]);
  net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({1, 3, 256, 256});
  for (auto _ : state) {
    benchmark::DoNotOptimize(net->localize(x).data_ptr());
  }
}

void BM_LNetForwardBackward(benchmark::State& state) {
  wisenet::WiseNet net = make_net(state.range(0));
  state.SetLabel(kBackbones[state.range(0)]);
  net->train();
  const torch::Tensor x = torch::randn({1, 3, 256, 256});
  for (auto _ : state) {
    net->zero_grad();
    net->localize(x).log_softmax(1).mean().backward();
  }
}

BENCHMARK(BM_LNetForward)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LNetForwardBackward)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
