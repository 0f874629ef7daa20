#include "wisenet/train/stop_signal.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace wisenet {

namespace {
std::atomic<int> g_signals{0};

void on_signal(int signal_number) {
  if (g_signals.fetch_add(1) >= 1) {
    // Second signal: the user insists. Exit without unwinding (async-signal-safe).
    _exit(128 + signal_number);
  }
  const char message[] = "\nwisenet: stopping after the current step (signal again to abort)\n";
  const ssize_t ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
  (void)ignored;
}
}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return g_signals.load() > 0; }
void reset_stop_request() { g_signals.store(0); }
void request_stop() { g_signals.store(1); }

}  // namespace wisenet
