#pragma once
// The run's CSV log (RUN_DIR/log.csv): one row per optimiser step ("step") and per validation
// ("val"), flushed as written so a killed run keeps its history.
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace wisenet {

class TrainLog {
 public:
  // Opens `path` with the given value columns (after kind,step,epoch,seconds). When
  // `keep_until_step` >= 0 the existing rows up to that step are kept (a resumed run) and later
  // ones dropped; otherwise the file starts anew.
  TrainLog(const std::string& path, std::vector<std::string> columns, int64_t keep_until_step);
  void write(const std::string& kind, int64_t step, int64_t epoch, double seconds,
             const std::map<std::string, double>& values);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::ofstream out_;
};

// Rows of a log: kind and its columns by name (empty cells absent).
struct LogRow {
  std::string kind;
  std::map<std::string, double> values;  // includes step, epoch, seconds
};
std::vector<LogRow> read_train_log(const std::string& path);

// Draws RUN_DIR/curves.png from the log: loss terms against step, validation metrics.
void plot_train_log(const std::string& log_path, const std::string& png_path);

}  // namespace wisenet
