// wisenet: instance segmentation trained from point labels (WISE-Net, LCFCN).
// This is the thin command line over the library: every subcommand is in apps/commands/.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands/command.h"
#include "wisenet/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "wisenet: instance segmentation from point labels (WISE-Net / LCFCN).\n"
      "Run `wisenet <command> --help` for the options of a command."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wisenet 0.1.0");
  wisenet::cli::add_synth_command(app);
  wisenet::cli::add_eval_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const wisenet::Error& e) {
    std::cerr << "wisenet: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "wisenet: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
