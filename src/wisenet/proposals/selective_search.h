#pragma once
// Selective search that keeps masks, not boxes: class-agnostic object proposals from no
// trained model. Usage:
//   Proposals proposals = generate_proposals(rgb_image, ProposalOptions{});
//
// Steps: for each (k, colour space) a Felzenszwalb over-segmentation; for each strategy the
// hierarchical grouping of its regions; every region of every hierarchy (initial segments and
// merges) within the area limits becomes a candidate mask with appearance features; stability
// counts the other hierarchies that found the same mask; objectness scores them; greedy
// deduplication by mask IoU keeps the higher score; the best max_proposals are returned.
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/proposals/objectness.h"
#include "wisenet/proposals/proposal.h"
#include "wisenet/proposals/proposal_options.h"

namespace wisenet {

// One candidate mask before scoring: which hierarchy produced it and its features.
struct Candidate {
  Rle mask;
  cv::Rect box;  // exact bounding box of the mask
  int64_t area = 0;
  int hierarchy = 0;
  ObjectnessFeatures features;  // stability is filled in by score_candidates
};

// Every candidate of every hierarchy, in a fixed order. `rgb` is CV_8UC3 RGB, not empty.
// Throws wisenet::Error for invalid options or image.
std::vector<Candidate> generate_candidates(const cv::Mat& rgb, const ProposalOptions& options);

// Fills in each candidate's stability (hierarchies are numbered 0..hierarchies-1).
void add_stability(std::vector<Candidate>* candidates, int hierarchies, double dedup_iou);

// Scores, deduplicates and caps candidates whose features are complete. Result is sorted by
// score, highest first (ties: the earlier candidate first); no two have IoU > dedup_iou.
Proposals select_proposals(const std::vector<Candidate>& candidates,
                           const ProposalOptions& options);

// Number of hierarchies the options grow.
int hierarchy_count(const ProposalOptions& options);

// generate_candidates, add_stability and select_proposals. Deterministic.
Proposals generate_proposals(const cv::Mat& rgb, const ProposalOptions& options = {});

}  // namespace wisenet
