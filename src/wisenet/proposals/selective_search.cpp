#include "wisenet/proposals/selective_search.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "wisenet/core/error.h"
#include "wisenet/proposals/near_duplicates.h"
#include "wisenet/proposals/over_segmentation.h"
#include "wisenet/proposals/region_grouping.h"

namespace wisenet {
namespace {

// The region's mask over `roi`, from the segment labels: pixels whose segment is stamped with
// this region's number.
cv::Mat region_crop(const cv::Mat& labels, const std::vector<int>& stamp, int region,
                    const cv::Rect& roi) {
  cv::Mat crop(roi.size(), CV_8U);
  for (int y = 0; y < roi.height; ++y) {
    const int* label = labels.ptr<int>(roi.y + y) + roi.x;
    uint8_t* out = crop.ptr<uint8_t>(y);
    for (int x = 0; x < roi.width; ++x) out[x] = stamp[label[x]] == region ? 1 : 0;
  }
  return crop;
}

// COCO RLE (column-major) of a full-image mask that is zero outside `roi`.
Rle rle_from_crop(const cv::Mat& crop, const cv::Rect& roi, int height, int width) {
  std::vector<int64_t> counts;
  int64_t end = 0;  // one past the last foreground pixel so far, in column-major order
  int64_t run_start = -1;
  for (int x = 0; x < roi.width; ++x) {
    for (int y = 0; y < roi.height; ++y) {
      if (!crop.at<uint8_t>(y, x)) continue;
      const int64_t p = static_cast<int64_t>(roi.x + x) * height + roi.y + y;
      if (run_start < 0 || p != end) {
        if (run_start >= 0) counts.push_back(end - run_start);
        counts.push_back(p - (run_start < 0 ? 0 : end));
        run_start = p;
      }
      end = p + 1;
    }
  }
  if (run_start >= 0) counts.push_back(end - run_start);
  counts.push_back(static_cast<int64_t>(height) * width - end);
  if (counts.size() > 1 && counts.back() == 0) counts.pop_back();
  return Rle::from_counts(height, width, counts, "proposal mask");
}

}  // namespace

int hierarchy_count(const ProposalOptions& options) {
  return static_cast<int>(options.k_values.size() * options.color_spaces.size() *
                          options.strategies.size());
}

std::vector<Candidate> generate_candidates(const cv::Mat& rgb, const ProposalOptions& options) {
  options.validate();
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    throw Error("generate_proposals: image must be non-empty 8-bit RGB");
  }
  const ObjectnessImage appearance = objectness_image(rgb);
  const int64_t max_area =
      static_cast<int64_t>(options.max_area_fraction * rgb.rows * static_cast<double>(rgb.cols));
  const cv::Rect image_rect(0, 0, rgb.cols, rgb.rows);
  const int margin = options.ring_width + 1;
  std::vector<Candidate> candidates;
  int hierarchy = 0;
  for (const auto& space : options.color_spaces) {
    const cv::Mat converted = convert_color_space(rgb, space);
    const PixelBins bins = pixel_bins(converted);
    for (int k : options.k_values) {
      int count = 0;
      const cv::Mat labels =
          graph_segmentation(converted, options.sigma, k, options.min_segment_size, &count);
      for (const auto& strategy : options.strategies) {
        const std::vector<GroupedRegion> regions =
            hierarchical_grouping(labels, count, bins, strategy);
        std::vector<int> stamp(count, -1);
        for (size_t r = 0; r < regions.size(); ++r) {
          const GroupedRegion& region = regions[r];
          if (region.size < options.min_area || region.size > max_area) continue;
          for (int leaf : region.leaves) stamp[leaf] = static_cast<int>(r);
          const cv::Rect roi =
              cv::Rect(region.box.x - margin, region.box.y - margin,
                       region.box.width + 2 * margin, region.box.height + 2 * margin) &
              image_rect;
          const cv::Mat crop = region_crop(labels, stamp, static_cast<int>(r), roi);
          Candidate candidate;
          candidate.mask = rle_from_crop(crop, roi, rgb.rows, rgb.cols);
          candidate.box = region.box;
          candidate.area = region.size;
          candidate.hierarchy = hierarchy;
          candidate.features = appearance_features(appearance, crop, roi, options.ring_width);
          candidates.push_back(std::move(candidate));
        }
        ++hierarchy;
      }
    }
  }
  return candidates;
}

void add_stability(std::vector<Candidate>* candidates, int hierarchies, double dedup_iou) {
  std::vector<MaskRef> refs;
  refs.reserve(candidates->size());
  for (const auto& c : *candidates) refs.push_back({&c.mask, c.box, c.area});
  const auto duplicates = near_duplicates(refs, dedup_iou);
  for (size_t i = 0; i < candidates->size(); ++i) {
    std::set<int> others;
    for (int j : duplicates[i]) {
      if ((*candidates)[j].hierarchy != (*candidates)[i].hierarchy) {
        others.insert((*candidates)[j].hierarchy);
      }
    }
    (*candidates)[i].features.stability =
        hierarchies > 1 ? static_cast<double>(others.size()) / (hierarchies - 1) : 0.0;
  }
}

Proposals select_proposals(const std::vector<Candidate>& candidates,
                           const ProposalOptions& options) {
  std::vector<double> scores(candidates.size());
  std::vector<MaskRef> refs;
  refs.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    scores[i] = objectness(candidates[i].features, options);
    refs.push_back({&candidates[i].mask, candidates[i].box, candidates[i].area});
  }
  std::vector<int> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return scores[i] > scores[j]; });
  const std::vector<int> kept = keep_distinct(refs, order, options.dedup_iou,
                                              static_cast<size_t>(options.max_proposals));
  Proposals proposals;
  proposals.reserve(kept.size());
  for (int i : kept) proposals.push_back({candidates[i].mask, scores[i]});
  return proposals;
}

Proposals generate_proposals(const cv::Mat& rgb, const ProposalOptions& options) {
  std::vector<Candidate> candidates = generate_candidates(rgb, options);
  // Stability compares every candidate with its near-duplicates: skip it when unweighted.
  if (options.weight_stability > 0) {
    add_stability(&candidates, hierarchy_count(options), options.dedup_iou);
  }
  return select_proposals(candidates, options);
}

}  // namespace wisenet
