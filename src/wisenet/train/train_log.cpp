#include "wisenet/train/train_log.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/viz/plot.h"

namespace wisenet {

namespace {
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}
}  // namespace

TrainLog::TrainLog(const std::string& path, std::vector<std::string> columns,
                   int64_t keep_until_step)
    : path_(path), columns_(std::move(columns)) {
  std::string header = "kind,step,epoch,seconds";
  for (const auto& c : columns_) header += "," + c;
  std::string kept;
  if (keep_until_step >= 0 && std::filesystem::exists(path)) {
    std::istringstream in(read_file(path));
    std::string line;
    std::getline(in, line);
    if (line == header) {
      while (std::getline(in, line)) {
        const auto fields = split(line);
        // A row cut short by a kill mid-write has fewer fields (its step may be cut too).
        if (fields.size() != columns_.size() + 4) continue;
        try {
          if (std::stoll(fields[1]) <= keep_until_step) kept += line + "\n";
        } catch (const std::exception&) {
        }
      }
    }
  }
  write_file_atomic(path, header + "\n" + kept);
  out_.open(path, std::ios::app);
  if (!out_) throw Error(path, "cannot append to the training log");
}

void TrainLog::write(const std::string& kind, int64_t step, int64_t epoch, double seconds,
                     const std::map<std::string, double>& values) {
  std::ostringstream line;
  line.precision(8);
  line << kind << ',' << step << ',' << epoch << ',' << seconds;
  for (const auto& c : columns_) {
    line << ',';
    const auto it = values.find(c);
    if (it != values.end() && std::isfinite(it->second)) line << it->second;
  }
  out_ << line.str() << '\n';
  out_.flush();
}

std::vector<LogRow> read_train_log(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto header = split(line);
  std::vector<LogRow> rows;
  while (std::getline(in, line)) {
    const auto fields = split(line);
    if (fields.empty()) continue;
    LogRow row;
    row.kind = fields[0];
    for (size_t i = 1; i < fields.size() && i < header.size(); ++i) {
      if (fields[i].empty()) continue;
      try {
        row.values[header[i]] = std::stod(fields[i]);
      } catch (const std::exception&) {
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void plot_train_log(const std::string& log_path, const std::string& png_path) {
  const auto rows = read_train_log(log_path);
  std::map<std::string, Series> losses, metrics;
  for (const auto& row : rows) {
    auto& target = row.kind == "val" ? metrics : losses;
    const double step = row.values.count("step") ? row.values.at("step") : 0;
    for (const auto& [name, value] : row.values) {
      if (name == "step" || name == "epoch" || name == "seconds" || name == "images_per_s") {
        continue;
      }
      auto& s = target[name];
      s.name = name;
      s.x.push_back(step);
      s.y.push_back(value);
    }
  }
  // Smooth the per-step losses (running mean over a window) so trends are visible.
  for (auto& [name, s] : losses) {
    const size_t window = std::max<size_t>(1, s.y.size() / 50);
    std::vector<double> smooth(s.y.size());
    double sum = 0;
    for (size_t i = 0; i < s.y.size(); ++i) {
      sum += s.y[i];
      if (i >= window) sum -= s.y[i - window];
      smooth[i] = sum / static_cast<double>(std::min(i + 1, window));
    }
    s.y = smooth;
  }
  Panel loss_panel{"training loss (running mean)", "step", {}, true};
  for (auto& [name, s] : losses) loss_panel.series.push_back(s);
  Panel val_panel{"validation", "step", {}, false};
  for (auto& [name, s] : metrics) val_panel.series.push_back(s);
  save_plot(png_path, {loss_panel, val_panel});
}

}  // namespace wisenet
