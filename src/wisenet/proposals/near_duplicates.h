#pragma once
// Finding pairs of masks with IoU above a threshold without comparing every pair: IoU is at
// most min(area)/max(area) and at most (box intersection)/max(area), so most pairs are
// rejected from their areas and boxes alone.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"

namespace wisenet {

// A mask with its (exact) bounding box and area, as near-duplicate search reads it.
struct MaskRef {
  const Rle* mask = nullptr;
  cv::Rect box;
  int64_t area = 0;
};
MaskRef mask_ref(const Rle& mask);

// Whether IoU(a, b) > threshold, deciding from area and box first.
bool iou_above(const MaskRef& a, const MaskRef& b, double threshold);

// For each mask, the indices of the other masks with IoU > threshold (each list ascending).
std::vector<std::vector<int>> near_duplicates(const std::vector<MaskRef>& masks, double threshold);

// Greedy deduplication: visits masks in the given order (highest score first) and keeps a mask
// when no kept one has IoU > threshold with it. Returns the kept indices, in visiting order,
// stopping after `limit` kept.
std::vector<int> keep_distinct(const std::vector<MaskRef>& masks, const std::vector<int>& order,
                               double threshold, size_t limit);

}  // namespace wisenet
