// wisenet: instance segmentation trained from point labels (WISE-Net, LCFCN).
// This is the thin command line over the library: every subcommand is in apps/commands/.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "commands/command.h"
#include "wisenet/core/error.h"

namespace {

// libgomp (behind libtorch and OpenCV) spin-waits between parallel regions by default; on a
// busy machine with as many threads as cores that makes every operation up to 100x slower.
// The policy is read once when the library loads, so set it and start again.
void use_passive_openmp_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  // execv failed: go on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  use_passive_openmp_waiting(argv);
  CLI::App app{
      "wisenet: instance segmentation from point labels (WISE-Net / LCFCN).\n"
      "Run `wisenet <command> --help` for the options of a command."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wisenet 0.1.0");
  wisenet::cli::add_synth_command(app);
  wisenet::cli::add_eval_command(app);
  wisenet::cli::add_train_command(app);
  wisenet::cli::add_launch_command(app);
  wisenet::cli::add_count_command(app);
  wisenet::cli::add_proposals_command(app);
  wisenet::cli::add_predict_command(app);
  wisenet::cli::add_export_command(app);
  wisenet::cli::add_convert_command(app);
  wisenet::cli::add_serve_command(app);
  wisenet::cli::add_experiment_command(app, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; a usage error is one line, like every error.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "wisenet: error: " << e.what() << " (see --help)\n";
    return e.get_exit_code();
  } catch (const wisenet::Error& e) {
    std::cerr << "wisenet: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    // Library errors (libtorch's c10::Error) carry a backtrace after the first line.
    const std::string message = e.what();
    std::cerr << "wisenet: error: " << message.substr(0, message.find('\n')) << "\n";
    return 1;
  }
  return 0;
}
