#include "commands/command.h"

namespace wisenet::cli {

void add_threads_option(CLI::App* command, int* threads) {
  command->add_option("--threads", *threads, "Threads for libtorch and OpenCV (0 = all cores)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
}

}  // namespace wisenet::cli
