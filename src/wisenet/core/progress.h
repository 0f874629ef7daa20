#pragma once
// A one-line progress bar on stderr: "[label] 37/200 ━━━━━━╸      18% 12.3 it/s ETA 0:42 text".
// Redraws at most every 100 ms; on a non-terminal stderr it prints a plain line every 10% so
// logs stay readable.
#include <chrono>
#include <cstdint>
#include <string>

namespace wisenet {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled = true);
  ~ProgressBar();
  // Sets the position to `done` (of total) with an optional trailing text.
  void update(int64_t done, const std::string& text = "");
  // Changes the total (e.g. an estimate that improves as work proceeds).
  void set_total(int64_t total) { total_ = total; }
  // Draws the final state and ends the line.
  void finish(const std::string& text = "");

 private:
  void draw(bool force);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  int64_t start_done_ = -1;
  std::string text_;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace wisenet
