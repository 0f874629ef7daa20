#pragma once
// Proposals from any external generator, given as a COCO results file (a JSON list of
// {image_id, category_id, segmentation (RLE or polygons), score}); category_id is ignored.
#include <cstdint>
#include <map>
#include <string>

#include "wisenet/data/coco_json.h"
#include "wisenet/proposals/proposal.h"

namespace wisenet {

// Proposals per image id, each list sorted by score, highest first (ties keep file order).
// Every image id and mask size is checked against `dataset` (as read_results does); a score
// outside [0, 1] is a wisenet::Error naming the file and the result's index.
std::map<int64_t, Proposals> import_proposals(const std::string& path,
                                              const CocoDataset& dataset);

}  // namespace wisenet
