// wisenet launch --nproc N -- train ...: starts N copies of this program on this machine as
// the ranks of one data-parallel run (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT
// set for each), waits for them, and fails when any rank fails.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "commands/command.h"
#include "wisenet/core/error.h"

namespace wisenet::cli {

namespace {

struct LaunchCommand {
  int nproc = 2;
  int port = 0;
  double grace_seconds = 360;
  std::vector<std::string> arguments;
};

// A port nobody listens on now (the kernel's pick); rank 0 binds it moments later.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("launch: cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw Error("launch: cannot find a free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

int run_launch(const LaunchCommand& command) {
  if (command.nproc < 1) throw Error("--nproc: must be at least 1");
  if (command.arguments.empty()) throw Error("launch: give the command after --, e.g. -- train ...");
  const int port = command.port > 0 ? command.port : free_port();
  // Ctrl-C reaches every rank through the terminal; the launcher stays to collect them.
  signal(SIGINT, SIG_IGN);
  std::map<pid_t, int> ranks;
  for (int rank = 0; rank < command.nproc; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) throw Error("launch: cannot start rank " + std::to_string(rank));
    if (pid == 0) {
      signal(SIGINT, SIG_DFL);
      setenv("WORLD_SIZE", std::to_string(command.nproc).c_str(), 1);
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      std::vector<std::string> args{"wisenet"};
      args.insert(args.end(), command.arguments.begin(), command.arguments.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv("/proc/self/exe", argv.data());
      std::cerr << "wisenet launch: cannot start rank " << rank << "\n";
      _exit(127);
    }
    ranks[pid] = rank;
  }
  int result = 0;
  std::optional<std::chrono::steady_clock::time_point> first_failure;
  bool killed = false;
  while (!ranks.empty()) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0 && ranks.count(pid)) {
      const int code = exit_status(status);
      if (code != 0) {
        std::cerr << "wisenet launch: rank " << ranks[pid] << " exited with status " << code << "\n";
        if (result == 0) result = code;
        if (!first_failure) first_failure = std::chrono::steady_clock::now();
      }
      ranks.erase(pid);
      continue;
    }
    // The others notice a lost rank by themselves; the grace period covers a rank stuck
    // where no collective runs.
    if (first_failure && !killed &&
        std::chrono::steady_clock::now() - *first_failure >
            std::chrono::duration<double>(command.grace_seconds)) {
      for (const auto& [p, rank] : ranks) {
        std::cerr << "wisenet launch: stopping rank " << rank << " after the failure\n";
        kill(p, SIGKILL);
      }
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return result;
}

}  // namespace

void add_launch_command(CLI::App& app) {
  auto command = std::make_shared<LaunchCommand>();
  CLI::App* sub = app.add_subcommand(
      "launch", "Start N local processes as the ranks of one run: launch --nproc N -- train ...");
  sub->add_option("--nproc", command->nproc, "number of processes (ranks)")->default_str("2");
  sub->add_option("--master-port", command->port,
                  "port of rank 0's store on 127.0.0.1 (default: a free one)");
  sub->add_option("--grace", command->grace_seconds,
                  "seconds the other ranks get to stop by themselves after one fails")
      ->default_str("360");
  sub->add_option("command", command->arguments, "the wisenet command each rank runs, after --")
      ->required();
  sub->callback([command] {
    const int code = run_launch(*command);
    if (code != 0) {
      throw Error("launch: the run failed (exit status " + std::to_string(code) +
                  "); each rank's own error is above");
    }
  });
}

}  // namespace wisenet::cli
