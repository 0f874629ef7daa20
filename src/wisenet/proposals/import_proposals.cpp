#include "wisenet/proposals/import_proposals.h"

#include <algorithm>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_results.h"

namespace wisenet {

std::map<int64_t, Proposals> import_proposals(const std::string& path,
                                              const CocoDataset& dataset) {
  const std::vector<Detection> detections = read_results(path, dataset);
  std::map<int64_t, Proposals> by_image;
  for (size_t i = 0; i < detections.size(); ++i) {
    const Detection& d = detections[i];
    const double score = d.instance.score;
    if (!(score >= 0 && score <= 1)) {
      throw Error(path, "result " + std::to_string(i) + ": score " + std::to_string(score) +
                            " is outside [0, 1] (objectness must be a probability)");
    }
    by_image[d.image_id].push_back({d.instance.mask, score});
  }
  for (auto& [id, proposals] : by_image) {
    std::stable_sort(proposals.begin(), proposals.end(),
                     [](const Proposal& a, const Proposal& b) { return a.score > b.score; });
  }
  return by_image;
}

}  // namespace wisenet
