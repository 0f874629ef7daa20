// Crash safety: a training run killed with SIGKILL at random moments (10 times) and resumed
// each time always finds a valid last.ckpt (or none yet, and starts over), and finishes with
// bit-for-bit the weights of an uninterrupted run, with no temporary file of a killed save
// left in the run folder.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_env.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// The trainer saves last.ckpt every 50 steps and at the end: 14 saves, so each of the 10
// attempts below can wait for a new one and still be killed before the run ends.
constexpr int kSteps = 700;
constexpr int kSaveEvery = 50;

// Starts `wisenet ARGS...` as a child process (stdout/stderr to `log`); returns its pid.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::cout << std::flush;  // else the child's freopen writes the parent's buffer again
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cli = test::cli_path().string();
    std::vector<char*> argv{const_cast<char*>(cli.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(127);
    execv(cli.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> train_args(const fs::path& data, const fs::path& run) {
  return {"train",     "--stage",     "loc", "--train", (data / "train.json").string(),
          "--out",     run.string(),  "--epochs",
          "100",       "--max-steps", std::to_string(kSteps),
          "--threads", "1",           "--no-progress",
          "--seed",    "4",           "--hflip"};
}

std::vector<std::string> resume_args(const fs::path& run) {
  return {"train", "--resume", run.string(), "--threads", "1", "--no-progress"};
}

// Temporary files (write_file_atomic's ".NAME.tmpPID_N") in the run folder.
std::vector<std::string> temporaries(const fs::path& run) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp") != std::string::npos) out.push_back(name);
  }
  return out;
}

std::map<std::string, torch::Tensor> weights_of(const fs::path& checkpoint) {
  TrainedModel t = load_trained_model(checkpoint.string());
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : t.model->named_parameters()) w[p.key()] = p.value().clone();
  for (const auto& b : t.model->named_buffers()) w[b.key()] = b.value().clone();
  return w;
}

TEST(KillResume, TenKillsThenResumeGiveTheUninterruptedWeights) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  const fs::path dir = test::temp_dir("kill_resume");
  ASSERT_EQ(test::run_cli("synth --images 40 --size 64 --classes 1 --seed 2 --threads 1 --out " +
                          (dir / "data").string())
                .exit_code,
            0);
  const fs::path log = dir / "log.txt";

  // The uninterrupted run, timed to spread the kills over it.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(wait_for(spawn(train_args(dir / "data", dir / "straight"), log)), 0) << log;
  const double straight_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "uninterrupted run: " << straight_seconds << " s\n";

  // Kill at random moments: each attempt runs until it has saved a new last.ckpt, then for a
  // random time up to the time between two saves (kills land between saves and during them), then
  // gets SIGKILL. After each kill last.ckpt is absent (killed before the first save) or a
  // valid checkpoint, never a torn one, and never older than the one before.
  const fs::path run = dir / "killed";
  const fs::path last = run / "last.ckpt";
  std::mt19937 rng(7);
  const double save_seconds = straight_seconds * kSaveEvery / kSteps;
  std::uniform_real_distribution<double> moment(0.0, save_seconds);
  const auto stamp = [&] {
    std::error_code ec;
    const auto time = fs::last_write_time(last, ec);
    return ec ? fs::file_time_type::min() : time;
  };
  int resumed_from_checkpoint = 0;
  int kills = 0;
  pid_t killed_pid = 0;
  size_t leftovers_seen = 0;
  int64_t previous_step = -1;
  for (int attempt = 0; kills < 10 && attempt < 20; ++attempt) {
    const bool have = fs::exists(last);
    const auto before = stamp();
    const pid_t pid = spawn(have ? resume_args(run) : train_args(dir / "data", run), log);
    resumed_from_checkpoint += have;
    int status = 0;
    bool exited = false;
    while (stamp() == before && !exited) {  // wait for a new save (or the end)
      exited = waitpid(pid, &status, WNOHANG) == pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!exited) {
      std::this_thread::sleep_for(std::chrono::duration<double>(moment(rng)));
      ::kill(pid, SIGKILL);
      const int code = wait_for(pid);
      EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << "exit " << code;
      kills += code == 128 + SIGKILL;
      if (code == 128 + SIGKILL) killed_pid = pid;
    }
    leftovers_seen += temporaries(run).size();
    if (fs::exists(last)) {
      const CheckpointInfo info = read_checkpoint_info(last.string());  // throws when torn
      EXPECT_GE(info.step, previous_step) << "a resumed run went backwards";
      previous_step = info.step;
    }
    std::cout << "attempt " << attempt + 1 << (have ? " (resumed)" : " (fresh)")
              << (exited ? ": finished" : ": killed") << ", last.ckpt at step " << previous_step
              << "\n";
    if (previous_step == kSteps) break;
  }
  EXPECT_EQ(kills, 10);
  // A save cut short by the kill leaves ".last.ckpt.tmpPID_N" (the kills above land mid-save
  // only sometimes: plant one of a killed writer for sure). The next save removes it.
  ASSERT_GT(killed_pid, 0);
  std::cout << "temporaries seen after the kills: " << leftovers_seen << "\n";
  std::ofstream(run / (".last.ckpt.tmp" + std::to_string(killed_pid) + "_3")) << "torn";
  // Finish the run (a resume of a finished run saves last.ckpt once more, unchanged).
  {
    const pid_t pid = spawn(resume_args(run), log);
    ASSERT_EQ(wait_for(pid), 0) << "see " << log;
  }
  EXPECT_EQ(temporaries(run), std::vector<std::string>{});
  EXPECT_GE(resumed_from_checkpoint, 9);

  EXPECT_EQ(read_checkpoint_info(last.string()).step, kSteps);
  const auto a = weights_of(dir / "straight" / "last.ckpt");
  const auto b = weights_of(last);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(torch::equal(tensor, b.at(name))) << name;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
