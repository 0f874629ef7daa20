// Data-parallel training through the command line, on loopback: 2 ranks against 1 process,
// and what happens when a rank dies or never comes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "test_env.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/model/wisenet_model.h"
#include "wisenet/train/distributed.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A small synthetic dataset, written once per test program.
const fs::path& dataset() {
  static const fs::path dir = [] {
    const fs::path d = test::temp_dir("dist-data");
    const auto r = test::run_cli("synth --out " + d.string() +
                                 " --images 10 --size 64 --classes 1 --seed 5 --threads 1");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return d;
  }();
  return dir;
}

// A data-parallel run trains one stage at a time.
std::string train_arguments(const fs::path& out, int steps, int batch,
                            const std::string& stage = "loc") {
  return "train --stage " + stage + " --train " + (dataset() / "train.json").string() +
         " --out " + out.string() +
         " --batch-size " + std::to_string(batch) + " --max-steps " + std::to_string(steps) +
         " --threads 1 --no-progress --seed 3 --lr-schedule constant --hflip";
}

std::vector<torch::Tensor> parameters_of(const fs::path& checkpoint) {
  const CheckpointInfo info = read_checkpoint_info(checkpoint.string());
  WiseNet model(info.options, false);
  load_checkpoint(checkpoint.string(), *model, nullptr);
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
  return out;
}

// |a - b| / |b| over all parameters as one vector (Euclidean norms). Adam divides each
// gradient by its own running scale, so a weight whose gradient is at rounding level moves by
// about lr with either sign; an element-wise comparison would measure that noise, the norm
// measures the run.
double relative_difference(const fs::path& a, const fs::path& b) {
  const auto p1 = parameters_of(a), p2 = parameters_of(b);
  EXPECT_EQ(p1.size(), p2.size());
  double difference = 0, norm = 0;
  for (size_t i = 0; i < std::min(p1.size(), p2.size()); ++i) {
    difference += (p1[i] - p2[i]).pow(2).sum().item<double>();
    norm += p2[i].pow(2).sum().item<double>();
  }
  const double relative = std::sqrt(difference / norm);
  std::cout << "relative parameter difference " << relative << "\n";
  return relative;
}

// Starts `wisenet ARGS` in the background with extra environment; returns its pid.
pid_t start_cli(const std::string& environment, const std::string& arguments, const fs::path& log) {
  const std::string command = "exec env " + environment + " OMP_WAIT_POLICY=PASSIVE " +
                              test::cli_path().string() + " " + arguments + " >" + log.string() +
                              " 2>&1 </dev/null";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Exit status of `pid`, or -1 when it is still running after `seconds`.
int wait_for(pid_t pid, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

int free_port() {
  // A port from the test's pid keeps parallel test programs apart.
  return 20000 + static_cast<int>(getpid() % 20000);
}

TEST(ShardRange, CoversEveryItemOnceInNearlyEqualParts) {
  for (int world = 1; world <= 5; ++world) {
    for (int64_t count = 0; count <= 11; ++count) {
      int64_t next = 0;
      for (int rank = 0; rank < world; ++rank) {
        const auto [begin, end] = shard_range(count, rank, world);
        EXPECT_EQ(begin, next);
        EXPECT_LE(end - begin, count / world + 1);
        EXPECT_GE(end - begin, count / world);
        next = end;
      }
      EXPECT_EQ(next, count);
    }
  }
}

TEST(DistributedOptions, EnvironmentFillsWhatFlagsLeave) {
  setenv("WORLD_SIZE", "4", 1);
  setenv("RANK", "2", 1);
  setenv("MASTER_ADDR", "10.0.0.7", 1);
  setenv("MASTER_PORT", "1234", 1);
  DistributedOptions given;
  given.rank = 1;
  const DistributedOptions d = distributed_options_from_environment(given, false, true, false);
  EXPECT_EQ(d.world_size, 4);
  EXPECT_EQ(d.rank, 1);  // the flag wins
  EXPECT_EQ(d.master, "10.0.0.7:1234");
  setenv("RANK", "two", 1);
  EXPECT_NE(test::error_of([] { distributed_options_from_environment(); }).find("RANK"),
            std::string::npos);
  for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"}) unsetenv(name);
  DistributedOptions bad;
  bad.world_size = 2;
  bad.rank = 2;
  EXPECT_NE(test::error_of([&] { bad.validate(); }).find("--rank"), std::string::npos);
}

// 2 ranks with half of each batch of 4 against 1 process with the whole batch: the loss is a
// mean over images, each forwarded on its own (batch norm sees one image either way), so the
// summed gradient of the two halves is the one-process gradient up to float rounding.
// --dist-check makes a rank fail when the ranks' parameters differ after any step.
//
// Parity over several steps uses the emb stage: its loss is a smooth function of the weights
// (pixel pairs are sampled from fixed pseudo-masks by seed). The loc stage's LCFCN loss is not:
// its split and false-positive terms follow the blobs of the argmax map, and a rounding-level
// difference can flip a pixel's argmax, move a blob boundary and change the loss by a finite
// amount, so for it the test compares one step only.
void expect_parity(const std::string& stage, int steps, const fs::path& dir) {
  const std::string tag = stage + "-" + std::to_string(steps);
  const std::string extra = " --proposals " + (dir / "proposals").string();
  const auto a = test::run_cli(train_arguments(dir / ("one-" + tag), steps, 4, stage) + extra);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = test::run_cli("launch --nproc 2 -- " +
                               train_arguments(dir / ("two-" + tag), steps, 4, stage) + extra +
                               " --dist-check --dist-timeout 30");
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_LT(relative_difference(dir / ("one-" + tag) / "last.ckpt",
                                dir / ("two-" + tag) / "last.ckpt"),
            1e-5)
      << stage << " after " << steps << " steps";
  // Rank 0 alone writes the log, with the time spent communicating.
  EXPECT_NE(slurp(dir / ("two-" + tag) / "log.csv").find("comm_s"), std::string::npos);
}

TEST(DistributedTraining, TwoRanksMatchOneProcessAfterEachStep) {
  const fs::path dir = test::temp_dir("dist-parity");
  expect_parity("loc", 1, dir);
  for (int steps : {1, 3}) expect_parity("emb", steps, dir);
  fs::remove_all(dir);
}

// Kills one rank in the middle of training; the other must stop with an error naming it, well
// within the timeout, and leave no half-written file behind.
void expect_lost_rank_reported(int victim) {
  const fs::path dir = test::temp_dir("dist-kill");
  const int port = free_port() + victim;
  const double timeout = 20;
  pid_t pids[2];
  for (int rank = 0; rank < 2; ++rank) {
    pids[rank] = start_cli("WORLD_SIZE=2 RANK=" + std::to_string(rank) +
                               " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port),
                           train_arguments(dir / "run", 100000, 2) + " --dist-timeout 20",
                           dir / ("rank" + std::to_string(rank) + ".txt"));
  }
  // Wait until training runs (rank 0 has logged steps), then kill the victim.
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  const auto logged_lines = [&] {
    const std::string log = slurp(dir / "run" / "log.csv");
    return std::count(log.begin(), log.end(), '\n');
  };
  while (Clock::now() < deadline && logged_lines() < 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pids[victim], SIGKILL);
  const auto killed_at = Clock::now();
  waitpid(pids[victim], nullptr, 0);
  const int survivor = 1 - victim;
  const int code = wait_for(pids[survivor], timeout);
  const double seconds = std::chrono::duration<double>(Clock::now() - killed_at).count();
  const std::string text = slurp(dir / ("rank" + std::to_string(survivor) + ".txt"));
  EXPECT_NE(code, 0) << text;
  EXPECT_NE(code, -1) << "rank " << survivor << " still ran " << timeout << " s after the kill";
  EXPECT_LT(seconds, timeout);
  EXPECT_NE(text.find("lost rank " + std::to_string(victim)), std::string::npos) << text;
  for (const auto& entry : fs::directory_iterator(dir / "run")) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
  if (fs::exists(dir / "run" / "last.ckpt")) read_checkpoint_info((dir / "run" / "last.ckpt").string());
  fs::remove_all(dir);
}

// The store's background thread of a survivor can end the process with an uncaught
// std::system_error when rank 0 dies (lost_store_report.h): that end must still be the one-line
// error naming rank 0, with status 1; other uncaught exceptions keep the default end.
TEST(DistributedTraining, ResetStoreConnectionIsReportedAsLostRankZero) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto reset_in_a_thread = [] {
    std::thread([] {
      throw std::system_error(ECONNRESET, std::generic_category(), "recv");
    }).join();
  };
  EXPECT_EXIT(
      {
        LostStoreReport report(1);
        reset_in_a_thread();
      },
      ::testing::ExitedWithCode(1), "distributed: rank 1: lost rank 0 .*recv");
  EXPECT_DEATH(
      {
        LostStoreReport report(1);
        std::thread([] { throw std::runtime_error("a bug"); }).join();
      },
      "a bug");
  EXPECT_DEATH(
      {
        { LostStoreReport report(1); }
        reset_in_a_thread();  // after the report's life: the default end
      },
      "terminate called");
}

TEST(DistributedTraining, KilledRankOneIsReportedByRankZero) { expect_lost_rank_reported(1); }
TEST(DistributedTraining, KilledRankZeroIsReportedByRankOne) { expect_lost_rank_reported(0); }

TEST(DistributedTraining, RankWithoutMasterFailsWithinTimeout) {
  const fs::path dir = test::temp_dir("dist-alone");
  const auto start = Clock::now();
  const auto r = test::run_cli(train_arguments(dir / "run", 1, 2) + " --world-size 2 --rank 1" +
                               " --master 127.0.0.1:" + std::to_string(free_port() + 7) +
                               " --dist-timeout 2");
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot reach the master"), std::string::npos) << r.err;
  EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  EXPECT_LT(seconds, 15);
  fs::remove_all(dir);
}

TEST(DistributedTraining, CudaIsRefusedClearly) {
  const fs::path dir = test::temp_dir("dist-cuda");
  const auto r = test::run_cli(train_arguments(dir / "run", 1, 1) + " --device cuda");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--device cuda"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
