#include "wisenet/train/distributed.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "wisenet/core/error.h"

namespace wisenet {

namespace {

using Clock = std::chrono::steady_clock;

std::pair<std::string, uint16_t> split_master(const std::string& master) {
  const size_t colon = master.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == master.size()) {
    throw Error("--master: \"" + master + "\" is not HOST:PORT");
  }
  const std::string port_text = master.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (*end != '\0' || port <= 0 || port > 65535) {
    throw Error("--master: \"" + master + "\" has no valid port (1..65535)");
  }
  return {master.substr(0, colon), static_cast<uint16_t>(port)};
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

int int_from_environment(const char* name) {
  const char* text = std::getenv(name);
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0') {
    throw Error(std::string("environment variable ") + name + "=\"" + text +
                "\" is not an integer");
  }
  return static_cast<int>(value);
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

c10::intrusive_ptr<c10d::TCPStore> connect_store(const std::string& host, uint16_t port,
                                                 bool server, double timeout_seconds) {
  c10d::TCPStoreOptions o;
  o.port = port;
  o.isServer = server;
  o.waitWorkers = false;  // the process group's own rendezvous waits for every rank
  o.timeout = millis(timeout_seconds);
  return c10::make_intrusive<c10d::TCPStore>(host, o);
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

std::string first_line(const std::exception& e) {
  const std::string what = e.what();
  return what.substr(0, what.find('\n'));
}

// c10d logs every failed connection attempt to stderr through glog before it throws; the
// thrown error says the same, so while connecting stderr is muted and the one-line error
// below is all the user sees.
class QuietStderr {
 public:
  QuietStderr() : saved_(dup(2)) {
    const int null = open("/dev/null", O_WRONLY);
    if (saved_ >= 0 && null >= 0) dup2(null, 2);
    if (null >= 0) close(null);
  }
  ~QuietStderr() {
    if (saved_ >= 0) {
      dup2(saved_, 2);
      close(saved_);
    }
  }

 private:
  int saved_;
};

std::string heartbeat_key(int rank) { return "wisenet/heartbeat/" + std::to_string(rank); }
std::string failed_key(int rank) { return "wisenet/failed/" + std::to_string(rank); }

}  // namespace

void DistributedOptions::validate() const {
  if (world_size < 1) throw Error("--world-size: must be at least 1, got " + std::to_string(world_size));
  if (rank < 0 || rank >= world_size) {
    throw Error("--rank: must be in 0.." + std::to_string(world_size - 1) + ", got " +
                std::to_string(rank));
  }
  if (!(timeout_seconds > 0)) throw Error("--dist-timeout: must be positive");
  if (world_size > 1) split_master(master);
}

DistributedOptions distributed_options_from_environment(DistributedOptions given,
                                                        bool world_size_given, bool rank_given,
                                                        bool master_given) {
  if (!world_size_given && std::getenv("WORLD_SIZE")) given.world_size = int_from_environment("WORLD_SIZE");
  if (!rank_given && std::getenv("RANK")) given.rank = int_from_environment("RANK");
  if (!master_given) {
    const auto [host, port] = split_master(given.master);
    const char* addr = std::getenv("MASTER_ADDR");
    const std::string new_host = addr && *addr ? addr : host;
    int new_port = port;
    if (std::getenv("MASTER_PORT")) new_port = int_from_environment("MASTER_PORT");
    given.master = new_host + ":" + std::to_string(new_port);
  }
  return given;
}

std::pair<int64_t, int64_t> shard_range(int64_t count, int rank, int world_size) {
  const int64_t base = count / world_size;
  const int64_t extra = count % world_size;  // the first `extra` ranks take one more
  const int64_t begin = rank * base + std::min<int64_t>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

struct ProcessGroup::State {
  std::string host;
  uint16_t port = 0;
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::atomic<bool> stop{false};
  std::thread heartbeat;
};

ProcessGroup::ProcessGroup(const DistributedOptions& options)
    : options_(options), lost_store_report_(options.rank), state_(std::make_unique<State>()) {
  options_.validate();
  State& s = *state_;
  std::tie(s.host, s.port) = split_master(options_.master);
  const std::string who = "distributed: rank " + std::to_string(options_.rank) + " of " +
                          std::to_string(options_.world_size);
  try {
    QuietStderr quiet;
    s.store = connect_store(s.host, s.port, options_.rank == 0, options_.timeout_seconds);
  } catch (const std::exception& e) {
    throw Error(who + (options_.rank == 0 ? " cannot host the store at " : " cannot reach the master ") +
                options_.master + " within " + seconds_text(options_.timeout_seconds) + ": " +
                first_line(e));
  }
  try {
    QuietStderr quiet;
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(millis(options_.timeout_seconds));
    // Loopback masters mean one machine; otherwise bind the address this host's name resolves to.
    gloo_options->devices.push_back(is_loopback(s.host)
                                        ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                        : c10d::ProcessGroupGloo::createDefaultDevice());
    gloo_options->threads = 1;
    s.group = c10::make_intrusive<c10d::ProcessGroupGloo>(s.store, options_.rank,
                                                          options_.world_size, gloo_options);
  } catch (const std::exception& e) {
    throw Error(who + ": the other ranks did not join through " + options_.master + " within " +
                seconds_text(options_.timeout_seconds) + ": " + first_line(e));
  }
  // Heartbeats on a connection of their own: when a collective fails, the ranks whose counter
  // stopped are the lost ones.
  const std::string host = s.host;
  const uint16_t port = s.port;
  const int rank = options_.rank;
  s.heartbeat = std::thread([&s, host, port, rank] {
    try {
      auto store = connect_store(host, port, false, 5.0);
      while (!s.stop.load()) {
        store->add(heartbeat_key(rank), 1);
        for (int i = 0; i < 4 && !s.stop.load(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    } catch (const std::exception&) {
      // The store went away (rank 0 ended or died): nothing left to report to.
    }
  });
}

ProcessGroup::~ProcessGroup() {
  state_->stop = true;
  if (state_->heartbeat.joinable()) state_->heartbeat.join();
}

void ProcessGroup::fail(const std::string& what, const std::exception& cause) {
  const int me = options_.rank;
  std::string lost;
  try {
    auto probe = connect_store(state_->host, state_->port, false, 2.0);
    probe->set(failed_key(me), std::vector<uint8_t>{1});
    std::map<int, int64_t> before;
    for (int r = 0; r < options_.world_size; ++r) before[r] = probe->add(heartbeat_key(r), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    for (int r = 0; r < options_.world_size; ++r) {
      if (r == me || probe->add(heartbeat_key(r), 0) != before[r]) continue;
      if (probe->check({failed_key(r)})) continue;  // it failed too, it is not lost
      lost += (lost.empty() ? "" : ", ") + std::to_string(r);
    }
  } catch (const std::exception&) {
    lost = me == 0 ? "" : "0";  // the store on rank 0 is unreachable: rank 0 is gone
  }
  throw Error("distributed: rank " + std::to_string(me) + ": " + what + " failed: " +
              (lost.empty() ? std::string("a peer rank was lost")
                            : "lost rank " + lost + " (it stopped responding)") +
              " (" + first_line(cause) + ")");
}

void ProcessGroup::broadcast(const std::vector<at::Tensor>& tensors) {
  const auto start = Clock::now();
  std::map<at::ScalarType, std::vector<at::Tensor>> by_type;
  for (const auto& t : tensors) by_type[t.scalar_type()].push_back(t);
  for (auto& [type, group] : by_type) {
    std::vector<at::Tensor> flat_parts;
    for (const auto& t : group) flat_parts.push_back(t.detach().reshape(-1));
    std::vector<at::Tensor> buffer{at::cat(flat_parts)};
    try {
      c10d::BroadcastOptions o;
      o.rootRank = 0;
      state_->group->broadcast(buffer, o)->wait();
    } catch (const std::exception& e) {
      fail("broadcast from rank 0", e);
    }
    int64_t offset = 0;
    at::NoGradGuard no_grad;
    for (auto& t : group) {
      t.detach().copy_(buffer[0].narrow(0, offset, t.numel()).view_as(t));
      offset += t.numel();
    }
  }
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

void ProcessGroup::all_reduce_sum(const std::vector<at::Tensor>& tensors) {
  const auto start = Clock::now();
  std::vector<at::Tensor> flat_parts;
  for (const auto& t : tensors) flat_parts.push_back(t.detach().reshape(-1).to(at::kFloat));
  std::vector<at::Tensor> buffer{at::cat(flat_parts)};
  try {
    state_->group->allreduce(buffer)->wait();
  } catch (const std::exception& e) {
    fail("gradient all-reduce", e);
  }
  bytes_all_reduced_ += buffer[0].numel() * static_cast<int64_t>(sizeof(float));
  int64_t offset = 0;
  at::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    t.detach().copy_(buffer[0].narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

double ProcessGroup::max_difference_from_rank0(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> parts;
  for (const auto& t : tensors) parts.push_back(t.detach().reshape(-1).to(at::kDouble));
  const at::Tensor mine = at::cat(parts);
  std::vector<at::Tensor> theirs{mine.clone()};
  std::vector<at::Tensor> difference;
  try {
    state_->group->broadcast(theirs)->wait();
    difference.push_back((mine - theirs[0]).abs().max().reshape({1}));
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::MAX;
    state_->group->allreduce(difference, o)->wait();
  } catch (const std::exception& e) {
    fail("parameter check", e);
  }
  return difference[0].item<double>();
}

void ProcessGroup::barrier(double timeout_seconds) {
  const auto start = Clock::now();
  try {
    c10d::BarrierOptions o;
    if (timeout_seconds > 0) o.timeout = millis(timeout_seconds);
    state_->group->barrier(o)->wait();
  } catch (const std::exception& e) {
    fail("barrier", e);
  }
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

double ProcessGroup::take_communication_seconds() {
  const double s = communication_seconds_;
  communication_seconds_ = 0;
  return s;
}

}  // namespace wisenet
