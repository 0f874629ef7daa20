#pragma once
// What the LCFCN loss of one image weighs (wisenet.md section 3), found without gradient from
// the probabilities S of this forward pass: the argmax pixel of each class for L_I, the point
// pixels for L_P, and the per-pixel weights on -log S_0 of the split and false-positive terms.
// Both loss paths (from logits and from probabilities) evaluate the same plan.
//
// Usage:
//   LcfcnPlan plan = lcfcn_plan(maps, points, options);   // maps: C+1 CV_32F maps of S
//   for (size_t k = 0; k < plan.split_local.size(); ++k)
//     split += plan.split_local.weights[k] * -log_s0[plan.split_local.pixels[k]];
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"
#include "wisenet/loss/lcfcn_loss.h"

namespace wisenet {

// Weights on -log S_0 at some pixels (row-major y * W + x); a pixel may appear more than once
// and then counts with the sum of its weights.
struct PixelWeights {
  std::vector<int64_t> pixels;
  std::vector<double> weights;
  size_t size() const { return pixels.size(); }
  bool empty() const { return pixels.empty(); }
};

struct LcfcnPlan {
  int64_t channels = 0, height = 0, width = 0;
  // Per channel c: the flat pixel (y * W + x) of the largest S_c (ties: the first, as
  // torch.argmax) and n_c, the number of points of class c (n_0 = 0).
  std::vector<int64_t> argmax;
  std::vector<int> class_points;
  // Per point: its flat index into the (C+1) x H x W map, (category * H + y) * W + x.
  std::vector<int64_t> point_index;
  // The weights on -log S_0 of the local splits (w_local / |B| on each boundary pixel of a blob
  // with n_b >= 2), the global splits ((n_c - 1) / |B| on each boundary pixel of class c's
  // split) and the false positives (1 / |blob| on each pixel of a blob without points).
  PixelWeights split_local, split_global, false_positive;
};

// The plan of one image. `maps`: C+1 CV_32F maps of S (channel 0 the background). Points:
// Point::category is the channel 1..C; a point outside the image or of an unknown class is a
// wisenet::Error. The watershed floods run on the intra-op threads.
LcfcnPlan lcfcn_plan(const std::vector<cv::Mat>& maps, const std::vector<Point>& points,
                     const LcfcnOptions& options);

}  // namespace wisenet
