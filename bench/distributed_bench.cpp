// Data-parallel training throughput on this machine: 1 process with 2 threads against 2
// processes (wisenet launch) with 1 thread each, same global batch, through the command line.
// Counters: images/s (median step, first steps dropped), communication seconds per step (rank
// 0's time in collectives, which includes waiting for the slower rank), bytes all-reduced per
// step and the model's parameter count.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "wisenet/model/checkpoint.h"
#include "wisenet/model/wisenet_model.h"

namespace {

namespace fs = std::filesystem;

const int kSteps = 24;
const int kBatch = 4;

fs::path cli() { return fs::canonical("/proc/self/exe").parent_path().parent_path() / "bin" / "wisenet"; }

fs::path work_dir() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("wisenet-dist-bench-" + std::to_string(getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    const std::string command = "OMP_WAIT_POLICY=PASSIVE " + cli().string() + " synth --out " +
                                (d / "data").string() +
                                " --images 40 --size 128 --classes 1 --seed 1 --threads 2 >/dev/null";
    if (std::system(command.c_str()) != 0) std::abort();
    return d;
  }();
  return dir;
}

// Median of a log.csv column over the step rows after the first few (warm-up).
double median_column(const fs::path& log, const std::string& column) {
  std::ifstream in(log);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string cell; std::getline(hs, cell, ',');) header.push_back(cell);
  const auto index = std::find(header.begin(), header.end(), column) - header.begin();
  std::vector<double> values;
  int row = 0;
  while (std::getline(in, line)) {
    if (line.rfind("step,", 0) != 0 || ++row <= 4) continue;
    std::stringstream ls(line);
    std::string cell;
    for (long i = 0; i <= index && std::getline(ls, cell, ','); ++i) {
    }
    if (!cell.empty()) values.push_back(std::stod(cell));
  }
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

void run_training(benchmark::State& state, int processes, int threads) {
  const fs::path data = work_dir() / "data" / "train.json";
  for (auto _ : state) {
    const fs::path out = work_dir() / ("run-" + std::to_string(processes));
    fs::remove_all(out);
    const std::string train = "train --stage loc --train " + data.string() + " --out " +
                              out.string() +
                              " --batch-size " + std::to_string(kBatch) + " --max-steps " +
                              std::to_string(kSteps) + " --threads " + std::to_string(threads) +
                              " --no-progress --seed 1";
    const std::string command =
        "OMP_WAIT_POLICY=PASSIVE " + cli().string() +
        (processes > 1 ? " launch --nproc " + std::to_string(processes) + " -- " : " ") + train +
        " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
      state.SkipWithError("training failed");
      return;
    }
    const double images_per_s = median_column(out / "log.csv", "images_per_s");
    state.SetIterationTime(kBatch / std::max(images_per_s, 1e-9));  // one median step
    state.counters["images_per_s"] = images_per_s;
    if (processes > 1) state.counters["comm_s_per_step"] = median_column(out / "log.csv", "comm_s");
    // Parameters of the trained branch: the gradient buffer all-reduced each step (float32).
    const wisenet::CheckpointInfo info = wisenet::read_checkpoint_info((out / "last.ckpt").string());
    wisenet::WiseNet model(info.options, false);
    int64_t count = 0;
    for (const auto& p : model->lnet_parameters()) count += p.numel();
    state.counters["parameters"] = static_cast<double>(count);
    state.counters["bytes_all_reduced_per_step"] = processes > 1 ? 4.0 * count : 0.0;
  }
}

void BM_TrainLoc_1proc_2threads(benchmark::State& state) { run_training(state, 1, 2); }
void BM_TrainLoc_2proc_1thread(benchmark::State& state) { run_training(state, 2, 1); }

BENCHMARK(BM_TrainLoc_1proc_2threads)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrainLoc_2proc_1thread)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
