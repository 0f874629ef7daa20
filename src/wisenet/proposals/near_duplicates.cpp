#include "wisenet/proposals/near_duplicates.h"

#include <algorithm>
#include <numeric>

namespace wisenet {

MaskRef mask_ref(const Rle& mask) {
  const auto b = mask.bbox();
  return {&mask, cv::Rect(static_cast<int>(b[0]), static_cast<int>(b[1]), static_cast<int>(b[2]),
                          static_cast<int>(b[3])),
          mask.area()};
}

bool iou_above(const MaskRef& a, const MaskRef& b, double threshold) {
  const double larger = static_cast<double>(std::max(a.area, b.area));
  if (larger <= 0) return false;
  if (std::min(a.area, b.area) <= threshold * larger) return false;
  if ((a.box & b.box).area() <= threshold * larger) return false;
  const double inter = static_cast<double>(a.mask->intersection(*b.mask));
  return inter > threshold * (a.area + b.area - inter);
}

std::vector<std::vector<int>> near_duplicates(const std::vector<MaskRef>& masks,
                                              double threshold) {
  // Sorted by area, a mask's possible duplicates lie in a window of areas
  // (threshold * a, a / threshold): scan only that window.
  std::vector<int> by_area(masks.size());
  std::iota(by_area.begin(), by_area.end(), 0);
  std::stable_sort(by_area.begin(), by_area.end(),
                   [&](int i, int j) { return masks[i].area < masks[j].area; });
  std::vector<std::vector<int>> result(masks.size());
  for (size_t u = 0; u < by_area.size(); ++u) {
    const MaskRef& a = masks[by_area[u]];
    for (size_t v = u + 1; v < by_area.size(); ++v) {
      const MaskRef& b = masks[by_area[v]];
      if (a.area <= threshold * b.area) break;
      if (iou_above(a, b, threshold)) {
        result[by_area[u]].push_back(by_area[v]);
        result[by_area[v]].push_back(by_area[u]);
      }
    }
  }
  for (auto& list : result) std::sort(list.begin(), list.end());
  return result;
}

std::vector<int> keep_distinct(const std::vector<MaskRef>& masks, const std::vector<int>& order,
                               double threshold, size_t limit) {
  std::vector<int> kept;
  for (int i : order) {
    if (kept.size() >= limit) break;
    bool duplicate = false;
    for (int k : kept) {
      if (iou_above(masks[i], masks[k], threshold)) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) kept.push_back(i);
  }
  return kept;
}

}  // namespace wisenet
