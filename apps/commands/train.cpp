// wisenet train: every option of TrainOptions as a flag (--lr, --max-steps, ...), over an
// optional JSON config file (--config); flags given on the command line win.
#include <filesystem>
#include <iostream>
#include <map>

#include "commands/command.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/json_fields.h"
#include "wisenet/train/both_stages.h"
#include "wisenet/train/trainer.h"

namespace wisenet::cli {

namespace {

struct TrainCommand {
  std::string config;
  std::string resume;
  DistributedOptions distributed;
  CLI::Option* world_size = nullptr;
  CLI::Option* rank = nullptr;
  CLI::Option* master = nullptr;
  std::map<std::string, std::string> values;  // JSON key -> text given on the command line
  std::map<std::string, bool> flags;          // JSON key -> on/off given on the command line
  std::map<std::string, CLI::Option*> options;
};

std::string flag_of(const std::string& key) {
  std::string flag = "--" + key;
  for (auto& ch : flag) {
    if (ch == '_') ch = '-';
  }
  return flag;
}

// The command-line text of an option as a JSON value of the same type as its default.
nlohmann::json to_json_value(const nlohmann::json& default_value, const std::string& text,
                             const std::string& key) {
  if (default_value.is_string()) return text;
  try {
    const nlohmann::json parsed = nlohmann::json::parse(text);
    if (default_value.is_number_float() && parsed.is_number()) return parsed.get<double>();
    if (default_value.is_number_integer() && parsed.is_number_integer()) return parsed;
    if (default_value.is_number_unsigned() && parsed.is_number_integer()) return parsed;
    if (default_value.is_boolean() && parsed.is_boolean()) return parsed;
  } catch (const nlohmann::json::exception&) {
  }
  throw Error(flag_of(key) + ": invalid value \"" + text + "\"");
}

// The command's defaults: the library's, with stage both (loc, then emb).
TrainOptions command_defaults() {
  TrainOptions defaults;
  defaults.stage = TrainStage::kBoth;
  return defaults;
}

void print_result(const TrainResult& result, const std::string& prefix) {
  std::cout << prefix << "steps " << result.steps
            << (result.stopped_early ? " (stopped early)" : "") << ", " << result.seconds << " s\n";
  if (result.best_val >= 0) {
    const char* what = result.stage == TrainStage::kLocalization ? "validation counting MAE"
                                                                 : "validation mask AP50";
    std::cout << prefix << what << ": last " << result.last_val << ", best " << result.best_val
              << " (" << result.best_checkpoint << ")\n";
  }
  std::cout << prefix << "checkpoint: " << result.last_checkpoint << "\n";
}

void print_both(const BothStagesResult& result) {
  if (result.loc) print_result(*result.loc, "loc: ");
  if (result.emb) {
    print_result(*result.emb, "emb: ");
    std::cout << "model: " << result.model_checkpoint() << "\n";
  } else {
    std::cout << "emb: not started (stopped during loc; continue with --resume)\n";
  }
}

int run_train(TrainCommand& command) {
  const TrainOptions defaults = command_defaults();
  const nlohmann::json default_json = train_options_to_json(defaults);
  nlohmann::json given = nlohmann::json::object();
  for (const auto& [key, option] : command.options) {
    if (option->count() == 0) continue;
    if (default_json[key].is_boolean()) {
      given[key] = command.flags[key];
    } else {
      given[key] = to_json_value(default_json[key], command.values[key], key);
    }
  }
  // Flags win over WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT (as `wisenet launch` sets).
  const DistributedOptions distributed =
      distributed_options_from_environment(command.distributed, command.world_size->count() > 0,
                                           command.rank->count() > 0, command.master->count() > 0);
  if (!command.resume.empty()) {
    if (!command.config.empty()) throw Error("--config cannot be combined with --resume");
    if (is_both_stages_run(command.resume)) {
      print_both(resume_both(command.resume, given.dump(), distributed));
      return 0;
    }
    const TrainResult result = resume_training(command.resume, given.dump(), distributed);
    if (distributed.rank == 0) print_result(result, "");  // rank 0 reports for the run
    return 0;
  }
  TrainOptions options = defaults;
  if (!command.config.empty()) {
    merge_train_options(json_fields::parse(read_file(command.config), command.config),
                        command.config, options);
  }
  merge_train_options(given, "command line", options);
  if (options.stage == TrainStage::kBoth) {
    print_both(train_both(options, distributed));
    return 0;
  }
  const TrainResult result = train(options, distributed);
  if (distributed.rank == 0) print_result(result, "");  // rank 0 reports for the run
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto command = std::make_shared<TrainCommand>();
  CLI::App* sub = app.add_subcommand(
      "train",
      "Train WISE-Net from point labels: L-Net (LCFCN loss), then the E-Net (similarity loss)");
  sub->add_option("--config", command->config,
                  "JSON file of training options (keys as the flags, with _); flags win");
  sub->add_option("--resume", command->resume,
                  "continue the run in this folder from its last.ckpt");
  DistributedOptions& d = command->distributed;
  command->world_size = sub->add_option("--world-size", d.world_size,
                                        "processes in a data-parallel run (env WORLD_SIZE)");
  command->rank =
      sub->add_option("--rank", d.rank, "this process's rank, 0..world-size-1 (env RANK)");
  command->master = sub->add_option("--master", d.master,
                                    "HOST:PORT where rank 0 hosts the store "
                                    "(env MASTER_ADDR, MASTER_PORT)")
                        ->default_str(d.master);
  sub->add_option("--dist-timeout", d.timeout_seconds,
                  "seconds before a rank that does not join or answer is an error "
                  "(must exceed rank 0's validation time)")
      ->default_str("300");
  sub->add_flag("--dist-check", d.check_every_step,
                "check after every step that all ranks hold the same parameters");
  const nlohmann::json defaults = train_options_to_json(command_defaults());
  for (const auto& doc : train_option_docs()) {
    const std::string key = doc.key;
    const nlohmann::json& value = defaults.at(key);
    CLI::Option* option = nullptr;
    if (value.is_boolean()) {
      const std::string description =
          std::string(doc.description) + (value.get<bool>() ? " (default: on)" : " (default: off)");
      option = sub->add_flag(flag_of(key) + ",!--no-" + flag_of(key).substr(2), command->flags[key],
                             description);
    } else {
      const std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
      option = sub->add_option(flag_of(key), command->values[key], doc.description)
                   ->type_name(value.is_string() ? "TEXT" : "NUM");
      if (!shown.empty()) option->default_str(shown);
    }
    command->options[key] = option;
  }
  sub->callback([command] {
    // Threads are set inside train() from the options, like every other setting.
    const int code = run_train(*command);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace wisenet::cli
