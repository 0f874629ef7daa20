#include "test_env.h"

#include "wisenet/core/error.h"

#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace wisenet::test {

namespace fs = std::filesystem;

namespace {
fs::path from_env(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  if (value != nullptr && *value != '\0') return fs::path(value);
  return fs::path(WISENET_SHARED_DEFAULT) / fallback;
}

// The folders temp_dir made, removed when the test process exits (kept when
// WISENET_KEEP_TEST_DIRS is set, to look at a failure's files).
class MadeDirs {
 public:
  void add(const fs::path& dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    dirs_.push_back(dir);
  }
  ~MadeDirs() {
    if (std::getenv("WISENET_KEEP_TEST_DIRS") != nullptr) return;
    for (const fs::path& dir : dirs_) {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  }

 private:
  std::mutex mutex_;
  std::vector<fs::path> dirs_;
};

MadeDirs& made_dirs() {
  static MadeDirs dirs;
  return dirs;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

fs::path data_dir() { return from_env("WISENET_DATA_DIR", "data"); }
fs::path reference_dir() { return from_env("WISENET_REFERENCE_DIR", "reference"); }
fs::path cli_path() { return fs::path(WISENET_CLI); }

fs::path temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() /
                       ("wisenet_test_" + tag + "_" + std::to_string(getpid()) + "_" +
                        std::to_string(counter++) + "_" + std::to_string(rd() % 100000));
  fs::remove_all(dir);
  fs::create_directories(dir);
  made_dirs().add(dir);
  return dir;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

int count_lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

CommandResult run_cli(const std::string& arguments) {
  const fs::path dir = temp_dir("cli");
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = cli_path().string() + " " + arguments + " >" + out.string() +
                              " 2>" + err.string() + " </dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out);
  result.err = slurp(err);
  fs::remove_all(dir);
  return result;
}

}  // namespace wisenet::test
