#include "wisenet/proposals/proposal_for_point.h"

#include <algorithm>
#include <numeric>
#include <string>

#include <opencv2/core.hpp>

#include "wisenet/core/error.h"

namespace wisenet {

Rle point_pixel_mask(int x, int y, int height, int width) {
  const int64_t p = static_cast<int64_t>(x) * height + y;
  std::vector<int64_t> counts{p, 1};
  const int64_t rest = static_cast<int64_t>(height) * width - p - 1;
  if (rest > 0) counts.push_back(rest);
  return Rle::from_counts(height, width, counts, "point pixel");
}

PointProposals proposal_for_point(const std::vector<Point>& points, const Proposals& proposals,
                                  int height, int width, const PointProposalOptions& options) {
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (p.x < 0 || p.y < 0 || p.x >= width || p.y >= height) {
      throw Error("proposal_for_point: point " + std::to_string(i) + " (" + std::to_string(p.x) +
                  ", " + std::to_string(p.y) + ") lies outside the " + std::to_string(width) +
                  "x" + std::to_string(height) + " image");
    }
  }
  std::vector<int> kept;
  for (size_t j = 0; j < proposals.size(); ++j) {
    const Rle& mask = proposals[j].mask;
    if (mask.height() != height || mask.width() != width) {
      throw Error("proposal_for_point: proposal " + std::to_string(j) + " is " +
                  std::to_string(mask.width()) + "x" + std::to_string(mask.height()) +
                  ", the image " + std::to_string(width) + "x" + std::to_string(height));
    }
    if (proposals[j].score > options.score_threshold) kept.push_back(static_cast<int>(j));
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [&](int a, int b) { return proposals[a].score > proposals[b].score; });

  PointProposals result;
  result.candidates.resize(points.size());
  result.chosen.assign(points.size(), -1);
  for (int j : kept) {
    std::vector<size_t> inside;
    for (size_t i = 0; i < points.size(); ++i) {
      if (proposals[j].mask.contains(points[i].x, points[i].y)) inside.push_back(i);
    }
    for (size_t i : inside) {
      result.candidates[i].push_back(j);
      // Candidates arrive best first, so the first acceptable one is the choice.
      if (result.chosen[i] < 0 && (inside.size() == 1 || options.allow_several_points)) {
        result.chosen[i] = j;
      }
    }
  }
  result.pseudo_masks.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    result.pseudo_masks.push_back(result.chosen[i] >= 0
                                      ? proposals[result.chosen[i]].mask
                                      : point_pixel_mask(points[i].x, points[i].y, height, width));
  }
  const Rle covered = result.pseudo_masks.empty() ? Rle(height, width)
                                                  : Rle::merge(result.pseudo_masks);
  cv::Mat background = covered.to_mask() == 0;
  result.background = Rle::from_mask(background);
  return result;
}

}  // namespace wisenet
