#pragma once
// Where a process sits in a data-parallel training run: world size, rank, the master's
// HOST:PORT and the failure timeout. Kept free of torch so the trainer's header stays light.
#include <string>

namespace wisenet {

struct DistributedOptions {
  int world_size = 1;                   // 1 = a single process, no communication at all
  int rank = 0;                         // 0 .. world_size - 1; rank 0 hosts the store
  std::string master = "127.0.0.1:29500";  // HOST:PORT of rank 0's TCP store
  // Rendezvous and every collective. Other ranks wait in the next all-reduce while rank 0
  // validates, so it must exceed the validation time; a killed rank is noticed at once anyway
  // (its connections close).
  double timeout_seconds = 300;
  bool check_every_step = false;        // compare every rank's parameters with rank 0's per step

  bool enabled() const { return world_size > 1; }
  // Throws wisenet::Error naming the first invalid field.
  void validate() const;
};

// `given` with the fields it leaves at their defaults taken from WORLD_SIZE, RANK, MASTER_ADDR,
// MASTER_PORT (as torchrun sets them). Bad variables are errors naming the variable.
DistributedOptions distributed_options_from_environment(DistributedOptions given = {},
                                                        bool world_size_given = false,
                                                        bool rank_given = false,
                                                        bool master_given = false);

}  // namespace wisenet
