#pragma once
// Data-parallel training over libtorch's own distributed layer (c10d, Gloo backend, TCP store).
// Rank 0 hosts the c10d::TCPStore at MASTER_ADDR:MASTER_PORT; every rank joins one
// ProcessGroupGloo. The trainer uses it through four hooks: parameters and buffers broadcast from
// rank 0 before the first step, a disjoint shard of each batch, one flattened all-reduce of the
// gradients after each backward, and rank-0-only side effects (validation, log, checkpoints).
//
// A lost rank makes every collective on the others fail (a closed connection or the timeout);
// they throw wisenet::Error naming the lost rank(s), found from per-rank heartbeats in the store.
//
// Usage:
//   DistributedOptions d = distributed_options_from_environment();  // WORLD_SIZE, RANK, ...
//   ProcessGroup group(d);             // rendezvous (throws after d.timeout_seconds)
//   group.broadcast(tensors);          // from rank 0, in place
//   group.all_reduce_sum(tensors);     // in place, one flattened buffer
#include <ATen/Tensor.h>

#include "wisenet/train/distributed_options.h"
#include "wisenet/train/lost_store_report.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wisenet {

// The contiguous part [begin, end) of `count` items that `rank` of `world_size` takes; parts
// differ in length by at most one and cover every item exactly once.
std::pair<int64_t, int64_t> shard_range(int64_t count, int rank, int world_size);

class ProcessGroup {
 public:
  explicit ProcessGroup(const DistributedOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  const DistributedOptions& options() const { return options_; }

  // Overwrites every tensor (in place) with rank 0's values; one flattened message per dtype.
  void broadcast(const std::vector<at::Tensor>& tensors);
  // Replaces every tensor (in place) by its sum over the ranks; one flattened float buffer.
  void all_reduce_sum(const std::vector<at::Tensor>& tensors);
  // Largest |mine - rank 0's| over the tensors, the same value on every rank.
  double max_difference_from_rank0(const std::vector<at::Tensor>& tensors);
  // `timeout_seconds` > 0 replaces the group's timeout (for long waits such as proposals).
  void barrier(double timeout_seconds = 0);

  // Seconds spent in collectives since the last call (communication time per step).
  double take_communication_seconds();
  // Bytes this rank put into all-reduces since construction.
  int64_t bytes_all_reduced() const { return bytes_all_reduced_; }

 private:
  struct State;
  [[noreturn]] void fail(const std::string& what, const std::exception& cause);

  DistributedOptions options_;
  // Before state_, so that it outlives the store's threads.
  LostStoreReport lost_store_report_;
  std::unique_ptr<State> state_;
  double communication_seconds_ = 0;
  int64_t bytes_all_reduced_ = 0;
};

}  // namespace wisenet
