#pragma once
// Scoring the runs of a fixed-budget experiment on the validation set: COCO mask AP of a
// trained model in several prediction modes (both networks run once per image), and the
// proposal oracle (each ground-truth point's chosen proposal, wisenet.md section 4), which
// bounds what proposals can give and does not depend on the budget.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "wisenet/data/coco_json.h"
#include "wisenet/experiment/budget_state.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/proposals/proposal_cache.h"

namespace wisenet {

struct ValidationSet {
  CocoDataset ground_truth;  // the images evaluated and their masked annotations (points by
                             // the center rule where missing)
  std::string image_dir;     // "" = the dataset's path rule
};

// The first `limit` images (0 = all) of `path`. An evaluation set without any mask throws
// wisenet::Error naming the file.
ValidationSet load_validation_set(const std::string& path, const std::string& image_dir,
                                  int64_t limit);

// Fills the cache with the proposals of every validation image, on `threads` workers (0 = all
// cores), with a progress bar when `progress`.
void prepare_validation_proposals(const ValidationSet& val, const ProposalCache& cache, int threads,
                                  bool progress);

// Mask AP and AP50 (pycocotools' maxDets 100) of the checkpoint's model in each named mode.
std::map<std::string, MethodScore> evaluate_checkpoint(
    const std::string& checkpoint, const ValidationSet& val, const ProposalCache& cache,
    const std::vector<std::pair<std::string, PredictionMode>>& modes, bool progress);

// The oracle: one detection per ground-truth object with a point, its chosen proposal
// (default PointProposalOptions), scored by objectness.
MethodScore evaluate_proposal_oracle(const ValidationSet& val, const ProposalCache& cache);

}  // namespace wisenet
