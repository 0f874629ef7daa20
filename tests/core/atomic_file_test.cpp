#include "wisenet/core/atomic_file.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "test_env.h"
#include "wisenet/core/error.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& path) { std::ofstream(path) << "partial"; }

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    out.insert(entry.path().filename().string());
  return out;
}

// The PID of a process that has ended (a child, reaped). PIDs are reused only after the PID
// space wraps, far beyond what a test sees.
pid_t dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return pid;
}

TEST(AtomicFile, WritesAndReadsBack) {
  const fs::path dir = test::temp_dir("atomic");
  write_file_atomic((dir / "a.txt").string(), "hello");
  EXPECT_EQ(read_file((dir / "a.txt").string()), "hello");
  write_file_atomic((dir / "a.txt").string(), "again");
  EXPECT_EQ(read_file((dir / "a.txt").string()), "again");
  EXPECT_EQ(names_in(dir), std::set<std::string>{"a.txt"});
  fs::remove_all(dir);
}

TEST(AtomicFile, TheNextWriteRemovesTemporariesOfDeadWritersOfTheSameTargetOnly) {
  const fs::path dir = test::temp_dir("atomic_stale");
  const std::string dead = std::to_string(dead_pid());
  const std::string alive = std::to_string(getppid());  // the test runner's parent: running
  const std::string self = std::to_string(getpid());
  const std::set<std::string> kept = {
      ".last.ckpt.tmp" + alive + "_0",  // a live writer may be writing it
      ".last.ckpt.tmp" + self + "_7",   // this process's own (another thread's write)
      ".best.ckpt.tmp" + dead + "_0",   // another target: its own next write cleans it
      ".last.ckpt.tmp" + dead,          // not the temporary pattern
      ".last.ckpt.tmp" + dead + "_",    //
      ".last.ckpt.tmpx" + dead + "_0",  //
      "last.ckpt.tmp" + dead + "_0",    // no leading dot: not ours
      ".last.ckpt.tmp" + dead + "_0.bak",
  };
  for (const auto& name : kept) touch(dir / name);
  touch(dir / (".last.ckpt.tmp" + dead + "_0"));
  touch(dir / (".last.ckpt.tmp" + dead + "_12"));

  write_file_atomic((dir / "last.ckpt").string(), "checkpoint");

  std::set<std::string> expected = kept;
  expected.insert("last.ckpt");
  EXPECT_EQ(names_in(dir), expected);
  EXPECT_EQ(read_file((dir / "last.ckpt").string()), "checkpoint");
  // Nothing left to remove; the other target's stale file goes with its own next write.
  EXPECT_EQ(remove_stale_temporaries((dir / "last.ckpt").string()), 0u);
  EXPECT_EQ(remove_stale_temporaries((dir / "best.ckpt").string()), 1u);
  EXPECT_FALSE(fs::exists(dir / (".best.ckpt.tmp" + dead + "_0")));
  fs::remove_all(dir);
}

TEST(AtomicFile, ATemporaryLeftByAKilledWriterIsRemovedByTheNextWrite) {
  const fs::path dir = test::temp_dir("atomic_killed");
  const fs::path target = dir / "results.json";
  // A child that dies (SIGKILL) in the middle of its write: its temporary stays.
  const pid_t pid = fork();
  if (pid == 0) {
    const fs::path temp = dir / (".results.json.tmp" + std::to_string(getpid()) + "_0");
    std::ofstream(temp) << "half a fi";
    ::kill(getpid(), SIGKILL);
    _exit(1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(names_in(dir).size(), 1u);
  write_file_atomic(target.string(), "{}");
  EXPECT_EQ(names_in(dir), std::set<std::string>{"results.json"});
  fs::remove_all(dir);
}

TEST(AtomicFile, AMissingFolderRemovesNothingAndTheWriteFailsWithOneLine) {
  const fs::path dir = test::temp_dir("atomic_missing");
  const std::string path = (dir / "nowhere" / "a.txt").string();
  EXPECT_EQ(remove_stale_temporaries(path), 0u);
  const std::string error = test::error_of([&] { write_file_atomic(path, "x"); });
  EXPECT_NE(error.find(path + ": cannot write"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
