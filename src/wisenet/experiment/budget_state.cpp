#include "wisenet/experiment/budget_state.h"

#include <algorithm>
#include <filesystem>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"

namespace wisenet {

using nlohmann::json;

namespace {

json score_json(const MethodScore& s) { return {{"ap", s.ap}, {"ap50", s.ap50}}; }

MethodScore score_of(const json& j) {
  MethodScore s;
  s.ap = j.at("ap").get<double>();
  s.ap50 = j.at("ap50").get<double>();
  return s;
}

// The first key (as a path) where two fingerprints differ; "" when equal.
std::string first_difference(const json& a, const json& b, const std::string& at) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      if (!b.contains(key)) return at + key;
      const std::string d = first_difference(value, b.at(key), at + key + ".");
      if (!d.empty()) return d;
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key)) return at + key;
    }
    return "";
  }
  if (a == b) return "";
  return at.empty() ? "(all)" : at.substr(0, at.size() - 1);
}

}  // namespace

BudgetState BudgetState::open(const std::string& path, const json& fingerprint) {
  BudgetState state;
  state.path_ = path;
  state.fingerprint_ = fingerprint;
  if (!std::filesystem::exists(path)) return state;
  json j;
  try {
    j = json::parse(read_file(path));
    const std::string differs = first_difference(j.at("fingerprint"), fingerprint, "");
    if (!differs.empty()) {
      const json& old = j.at("fingerprint");
      const auto value_at = [&](const json& f) {
        try {
          std::string pointer = "/" + differs;
          std::replace(pointer.begin(), pointer.end(), '.', '/');
          return f.at(json::json_pointer(pointer)).dump();
        } catch (const json::exception&) {
          return std::string("(absent)");
        }
      };
      throw Error(path, "this folder holds an experiment with other options (" + differs + " was " +
                            value_at(old) + ", now " + value_at(fingerprint) +
                            "); give another --out or the same options");
    }
    for (const auto& [id, r] : j.at("runs").items()) {
      RunRecord record;
      record.loc_done = r.value("loc_done", false);
      record.emb_done = r.value("emb_done", false);
      record.done = r.value("done", false);
      record.seconds = r.value("seconds", 0.0);
      const json scores = r.value("scores", json::object());  // kept alive for items()
      for (const auto& [method, s] : scores.items()) {
        record.scores[method] = score_of(s);
      }
      state.runs_[id] = record;
    }
    if (j.contains("oracle") && !j["oracle"].is_null()) state.oracle = score_of(j["oracle"]);
  } catch (const json::exception& e) {
    throw Error(path, std::string("not a budget experiment state file: ") + e.what());
  }
  return state;
}

const RunRecord* BudgetState::find(const std::string& id) const {
  const auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : &it->second;
}

void BudgetState::save() const {
  json runs = json::object();
  for (const auto& [id, r] : runs_) {
    json scores = json::object();
    for (const auto& [method, s] : r.scores) scores[method] = score_json(s);
    runs[id] = {{"loc_done", r.loc_done},
                {"emb_done", r.emb_done},
                {"done", r.done},
                {"seconds", r.seconds},
                {"scores", scores}};
  }
  const json j = {{"version", 1},
                  {"fingerprint", fingerprint_},
                  {"runs", runs},
                  {"oracle", oracle ? score_json(*oracle) : json(nullptr)}};
  write_file_atomic(path_, j.dump(2) + "\n");
}

}  // namespace wisenet
