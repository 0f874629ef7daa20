#pragma once
// Dataset category ids <-> network channels. L-Net's channel 0 is background; channels 1..C
// are the dataset's categories in the order the dataset lists them.
#include <string>
#include <vector>

#include "wisenet/data/coco_json.h"

namespace wisenet {

struct ClassMap {
  std::vector<int> category_ids;      // channel c (1-based) has category_ids[c - 1]
  std::vector<std::string> names;     // same order
  int channel_of(int category_id) const;  // throws wisenet::Error for an unknown id
  int category_of(int channel) const;
  int num_classes() const { return static_cast<int>(category_ids.size()); }
};

ClassMap class_map_of(const CocoDataset& dataset);

}  // namespace wisenet
