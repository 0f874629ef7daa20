#pragma once
// ProposalOptions: every parameter of the selective-search mask proposal generator.
#include <string>
#include <vector>

namespace wisenet {

// Defaults were chosen by measuring proposal quality on the first 30 images of the nuclei
// validation set (see tests/proposals/real_data_test.cpp). The text form is stable: it is
// part of the proposal cache key, so changing any value gives a different cache entry.
struct ProposalOptions {
  // Over-segmentation (Felzenszwalb graph segmentation) scales and colour spaces: one
  // hierarchy is grown per (k, colour space, strategy).
  std::vector<int> k_values{50, 100, 200};
  std::vector<std::string> color_spaces{"rgb", "lab"};  // each of "rgb", "hsv", "lab"
  double sigma = 0.8;         // Gaussian smoothing before graph segmentation
  int min_segment_size = 20;  // smallest initial segment, pixels
  // Grouping similarities, one string per strategy, letters from c (colour), t (texture),
  // s (size), f (fill), as in Uijlings et al.
  std::vector<std::string> strategies{"ctsf", "tsf"};
  // Candidate masks outside [min_area, max_area_fraction * image] pixels are not kept.
  int min_area = 10;
  double max_area_fraction = 0.8;
  // Objectness = weighted mean of the terms below (each in [0, 1]; see objectness.h).
  double weight_color_contrast = 1.0;
  double weight_edge_contrast = 1.0;
  // Stability is off by default: on the nuclei it lowered the chosen masks' quality (few
  // hierarchies agree at IoU 0.9, so it mostly pulled good masks under the 0.5 threshold).
  double weight_compactness = 1.0;
  double weight_stability = 0.0;
  int ring_width = 3;  // pixels of the outside ring compared with the inside
  // Deduplication: of two proposals with mask IoU above this, the lower scored is dropped.
  double dedup_iou = 0.9;
  int max_proposals = 500;  // cap per image, highest scores kept

  // "key=value;key=value;..." with fixed number formatting; equal options give equal text.
  std::string to_text() const;
  // Throws wisenet::Error naming the option when a value is out of range.
  void validate() const;
};

}  // namespace wisenet
