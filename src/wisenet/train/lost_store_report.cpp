#include "wisenet/train/lost_store_report.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <string>
#include <system_error>

namespace wisenet {
namespace {

std::atomic<int> reporting_rank{-1};
std::terminate_handler previous_handler = nullptr;

[[noreturn]] void report_lost_store() {
  const int rank = reporting_rank.load();
  if (rank >= 0) {
    if (const std::exception_ptr uncaught = std::current_exception()) {
      try {
        std::rethrow_exception(uncaught);
      } catch (const std::system_error& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        const std::string line =
            "wisenet: error: distributed: rank " + std::to_string(rank) + ": " +
            (rank == 0 ? std::string("a connection to the store broke")
                       : std::string("lost rank 0 (its store connection broke)")) +
            " (" + what + ")\n";
        (void)!::write(STDERR_FILENO, line.data(), line.size());
        std::_Exit(1);
      } catch (...) {
      }
    }
  }
  if (previous_handler) previous_handler();
  std::abort();
}

}  // namespace

LostStoreReport::LostStoreReport(int rank) {
  reporting_rank = rank;
  previous_handler = std::set_terminate(report_lost_store);
}

LostStoreReport::~LostStoreReport() {
  std::set_terminate(previous_handler);
  reporting_rank = -1;
}

}  // namespace wisenet
