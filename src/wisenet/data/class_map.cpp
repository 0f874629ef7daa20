#include "wisenet/data/class_map.h"

#include "wisenet/core/error.h"

namespace wisenet {

int ClassMap::channel_of(int category_id) const {
  for (size_t i = 0; i < category_ids.size(); ++i) {
    if (category_ids[i] == category_id) return static_cast<int>(i) + 1;
  }
  throw Error("unknown category id " + std::to_string(category_id));
}

int ClassMap::category_of(int channel) const {
  if (channel < 1 || channel > num_classes()) {
    throw Error("no class for channel " + std::to_string(channel));
  }
  return category_ids[channel - 1];
}

ClassMap class_map_of(const CocoDataset& dataset) {
  ClassMap map;
  for (const auto& c : dataset.categories) {
    map.category_ids.push_back(c.id);
    map.names.push_back(c.name);
  }
  if (map.category_ids.empty()) throw Error(dataset.source, "the dataset has no categories");
  return map;
}

}  // namespace wisenet
