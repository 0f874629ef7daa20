#pragma once
// libtorch 1.13's TCPStore clients run a background thread that lets a reset connection (the
// process hosting the store, rank 0, died) escape as an uncaught std::system_error, which ends
// the process through std::terminate with no message of ours, at a moment decided by the
// kernel's timing. While a LostStoreReport lives, such an end prints the one-line error a
// failed collective would have given ("lost rank 0") and exits with status 1. Any other
// uncaught exception goes to the previous handler, unchanged.
//
// Usage: { LostStoreReport report(rank); ... the process group's whole life ... }

namespace wisenet {

class LostStoreReport {
 public:
  explicit LostStoreReport(int rank);
  ~LostStoreReport();
  LostStoreReport(const LostStoreReport&) = delete;
  LostStoreReport& operator=(const LostStoreReport&) = delete;
};

}  // namespace wisenet
