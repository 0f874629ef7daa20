#pragma once
// The pairwise similarity loss L_E of WISE-Net's embedding branch (wisenet.md section 5).
//
// Usage (one image of a batch):
//   SimilarityLossResult r = similarity_loss(embeddings[0], points, pseudo_masks, background,
//                                            SimilarityOptions{}, seed);
//   if (r.has_points) r.total.backward();
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "wisenet/core/rle.h"
#include "wisenet/core/types.h"
#include "wisenet/loss/similarity.h"

namespace wisenet {

struct SimilarityOptions {
  SimilarityForm form = SimilarityForm::kExponential;
  int pixels_per_point = 100;    // group 1: pseudo-mask pixels drawn per point
  int background_pixels = 100;   // group 3: background pixels drawn
  int anchors = 0;               // background anchors; 0 = the number of points
  bool refine_false_positives = true;  // group 5
  // Beyond section 5 (off there): the mirror of group 5 for pseudo-mask pixels whose most
  // similar seed is not their own point (pair_sampler.h, missed_pairs).
  bool refine_false_negatives = false;
};

struct SimilarityLossResult {
  at::Tensor total;                     // 0-dim; undefined when has_points is false
  std::map<std::string, double> terms;  // per group: its mean term / max(n, 1) (they sum to total)
  bool has_points = false;
};

// L_E of one image.
// Requires: embeddings D x H x W, floating point (float or double; any device), normally
// requiring grad; pseudo_masks.size() == points.size(); every mask and the background H x W;
// every point inside the image. Otherwise throws wisenet::Error naming the item.
// Ensures: no points -> has_points false, total undefined, terms empty (no update). Otherwise
// total = (sum over the non-empty groups of their mean of -log S ("same") or -log(1 - S)
// ("different")) / n, S from similarity_from_distance; groups and sampling as in
// pair_sampler.h ("mask", "points", "background", "anchor_point", "stolen_anchor",
// "stolen_point"); the stolen pixels (group 5) are chosen without gradient by nearest_seed
// among the points and the anchors, and n of them are drawn. With refine_false_negatives, the
// same join gives the missed pseudo-mask pixels, n of them are drawn after the stolen ones
// ("missed_point", "missed_anchor", "missed_other"). Deterministic given `seed`.
SimilarityLossResult similarity_loss(const at::Tensor& embeddings, const std::vector<Point>& points,
                                     const std::vector<Rle>& pseudo_masks, const Rle& background,
                                     const SimilarityOptions& options, uint64_t seed);

}  // namespace wisenet
