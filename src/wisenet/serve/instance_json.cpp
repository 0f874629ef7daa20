#include "wisenet/serve/instance_json.h"

#include "wisenet/core/error.h"

namespace wisenet::serve {

nlohmann::json instance_to_json(const Instance& instance) {
  nlohmann::json j;
  j["id"] = instance.id;
  j["category"] = instance.category;
  j["score"] = instance.score;
  j["point"] = instance.point ? nlohmann::json::array({instance.point->x, instance.point->y})
                              : nlohmann::json(nullptr);
  j["bbox"] = instance.bbox;
  j["area"] = instance.area;
  j["mask"] = {{"size", {instance.mask.height(), instance.mask.width()}},
               {"counts", instance.mask.counts()}};
  return j;
}

Rle mask_from_json(const nlohmann::json& mask, const std::string& where) {
  if (!mask.is_object() || !mask.contains("size") || !mask.contains("counts") ||
      !mask["size"].is_array() || mask["size"].size() != 2 || !mask["counts"].is_array()) {
    throw Error("request", where + ": mask must be {\"size\": [h, w], \"counts\": [...]}");
  }
  // Only integers are converted: get<int>() of 1e45 is undefined behaviour (found by fuzzing).
  const auto& size = mask["size"];
  if (!size[0].is_number_integer() || !size[1].is_number_integer() || size[0].get<int64_t>() <= 0 ||
      size[1].get<int64_t>() <= 0 || size[0].get<int64_t>() > 1 << 20 ||
      size[1].get<int64_t>() > 1 << 20) {
    throw Error("request", where + ": mask size must be two positive integers");
  }
  std::vector<int64_t> counts;
  counts.reserve(mask["counts"].size());
  for (const auto& c : mask["counts"]) {
    if (!c.is_number_integer()) throw Error("request", where + ": mask counts must be integers");
    counts.push_back(c.get<int64_t>());
  }
  return Rle::from_counts(static_cast<int>(size[0].get<int64_t>()),
                          static_cast<int>(size[1].get<int64_t>()), counts, where);
}

}  // namespace wisenet::serve
