#pragma once
// The pseudo-mask of each point (WISE-Net §4): among the proposals that are confident enough
// and contain the point's pixel, the best one that holds no other point.
#include <vector>

#include "wisenet/core/types.h"
#include "wisenet/proposals/proposal.h"

namespace wisenet {

struct PointProposalOptions {
  double score_threshold = 0.5;       // proposals with score > this are kept
  bool allow_several_points = false;  // true: the original code's rule (any candidate)
};

// For points p_0..p_{n-1} of one image:
//  candidates[i]: indices into the proposal list of the kept proposals containing p_i's pixel,
//                 highest score first (ties: lower index first);
//  chosen[i]:     the index of the highest-scoring candidate that contains no other point
//                 (any candidate when allow_several_points), or -1 when there is none;
//  pseudo_masks[i]: that proposal's mask, or the single pixel of p_i when chosen[i] is -1;
//  background:    pixels covered by none of the pseudo-masks (so a fallback point pixel is
//                 not background either).
struct PointProposals {
  std::vector<std::vector<int>> candidates;
  std::vector<int> chosen;
  std::vector<Rle> pseudo_masks;
  Rle background;
};

// Requires every proposal mask to be height x width and every point inside the image; throws
// wisenet::Error otherwise.
PointProposals proposal_for_point(const std::vector<Point>& points, const Proposals& proposals,
                                  int height, int width, const PointProposalOptions& options = {});

// The single-pixel mask of (x, y).
Rle point_pixel_mask(int x, int y, int height, int width);

}  // namespace wisenet
