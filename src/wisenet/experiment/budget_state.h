#pragma once
// The resumable record of a fixed-budget experiment: OUT/state.json, rewritten atomically
// after every stage of every run. It holds the experiment's fingerprint (every option that
// changes a result), and per run which training stages are done and, once evaluated, its
// scores. Re-running the same command skips what is done; a different command on the same
// folder is refused (naming the first option that differs) instead of mixing results.
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace wisenet {

struct MethodScore {
  double ap = -1;
  double ap50 = -1;
};

struct RunRecord {
  bool loc_done = false;
  bool emb_done = false;
  bool done = false;                          // evaluated; scores complete
  std::map<std::string, MethodScore> scores;  // method key -> scores
  double seconds = 0;                         // wall time of training + evaluation
};

class BudgetState {
 public:
  // Reads `path` when it exists (its fingerprint must equal `fingerprint`, else
  // wisenet::Error naming the first differing key), else starts empty. Nothing is written yet.
  static BudgetState open(const std::string& path, const nlohmann::json& fingerprint);

  // The record of run `id` (created empty when absent).
  RunRecord& run(const std::string& id) { return runs_[id]; }
  // Null when the run has no record.
  const RunRecord* find(const std::string& id) const;

  std::optional<MethodScore> oracle;  // the proposal oracle on the validation set

  // Writes the whole state to its path atomically.
  void save() const;

 private:
  std::string path_;
  nlohmann::json fingerprint_;
  std::map<std::string, RunRecord> runs_;
};

}  // namespace wisenet
