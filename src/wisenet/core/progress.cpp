#include "wisenet/core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace wisenet {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>((s / 60) % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buffer;
}

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_ && enabled_ && tty_ && done_ > 0) std::fputc('\n', stderr);
}

void ProgressBar::update(int64_t done, const std::string& text) {
  if (start_done_ < 0) {
    start_done_ = done;
    start_ = std::chrono::steady_clock::now();
  }
  done_ = done;
  text_ = text;
  draw(false);
}

void ProgressBar::finish(const std::string& text) {
  if (!text.empty()) text_ = text;
  draw(true);
  if (enabled_ && tty_) std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double fraction = total_ > 0 ? std::min(1.0, double(done_) / double(total_)) : 0.0;
  if (!tty_) {
    const int decile = static_cast<int>(fraction * 10);
    if (!force && decile == last_decile_) return;
    last_decile_ = decile;
  } else if (!force && now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? double(done_ - std::max<int64_t>(start_done_, 0)) / elapsed : 0;
  const double eta = rate > 0 ? double(total_ - done_) / rate : NAN;
  const int width = 24;
  const int filled = static_cast<int>(fraction * width);
  std::string bar;
  for (int i = 0; i < width; ++i) bar += i < filled ? "#" : (i == filled ? ">" : " ");
  char head[160];
  std::snprintf(head, sizeof head, "[%s] %lld/%lld [%s] %3d%% %.2f it/s ETA %s", label_.c_str(),
                static_cast<long long>(done_), static_cast<long long>(total_), bar.c_str(),
                static_cast<int>(fraction * 100), rate, format_duration(eta).c_str());
  std::fprintf(stderr, "%s%s %s%s", tty_ ? "\r" : "", head, text_.c_str(),
               tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
}

}  // namespace wisenet
