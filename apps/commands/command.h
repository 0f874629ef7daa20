#pragma once
// Each subcommand lives in apps/commands/<name>.cpp and registers itself on the main app.
// A command parses into a params struct, calls the library and reports; it holds no logic
// a test would need.
#include <CLI/CLI.hpp>
#include <functional>

namespace wisenet::cli {

// Adds `--threads N` (default 0 = all cores) to a subcommand.
void add_threads_option(CLI::App* command, int* threads);

void add_synth_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_launch_command(CLI::App& app);
void add_count_command(CLI::App& app);
void add_proposals_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_serve_command(CLI::App& app);
// `argc`/`argv` are quoted in the report as the command that made it.
void add_experiment_command(CLI::App& app, int argc, char** argv);

}  // namespace wisenet::cli
