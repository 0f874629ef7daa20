#pragma once
// Where tests find the shared data, the reference outputs and the command line tool.
#include <filesystem>
#include <functional>
#include <string>

namespace wisenet::test {

// $WISENET_DATA_DIR, else ../shared/data beside the project root.
std::filesystem::path data_dir();
// $WISENET_REFERENCE_DIR, else ../shared/reference beside the project root.
std::filesystem::path reference_dir();
// The built `wisenet` binary.
std::filesystem::path cli_path();
// A fresh empty folder under the system temp dir, unique per call, removed with everything in
// it when the test process exits (unless WISENET_KEEP_TEST_DIRS is set).
std::filesystem::path temp_dir(const std::string& tag);

struct CommandResult {
  int exit_code = 0;
  std::string out;  // stdout and stderr, in that order
  std::string err;
};
// What wisenet::Error `fn` throws, or "(no error)".
std::string error_of(const std::function<void()>& fn);

// Number of '\n' in `text` (a one-line error message has exactly one).
int count_lines(const std::string& text);

// Runs the command line tool with the given argument string (shell syntax).
CommandResult run_cli(const std::string& arguments);

}  // namespace wisenet::test
