#pragma once
// Hierarchical grouping of selective search (Uijlings et al., IJCV 2013): starting from an
// over-segmentation, repeatedly merge the two most similar adjacent regions until one is left.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace wisenet {

// Per-pixel histogram bins of one colour image, computed once and shared by every hierarchy
// grown on that colour space. colour: 25 bins per channel; texture: for each channel and each
// of 8 gradient orientations, the positive directional derivative in 10 bins.
struct PixelBins {
  int height = 0;
  int width = 0;
  std::vector<uint8_t> color;    // 3 per pixel, row-major, values 0..24
  std::vector<uint8_t> texture;  // 24 per pixel, row-major, values 0..9
};
PixelBins pixel_bins(const cv::Mat& image);  // image: CV_8UC3 in any colour space

// One region of a hierarchy: the union of initial segments `leaves`, its bounding box and
// its size in pixels.
struct GroupedRegion {
  std::vector<int> leaves;
  cv::Rect box;
  int64_t size = 0;
};

// Grows the hierarchy for `labels` (CV_32S, 0..count-1, as graph_segmentation gives) with the
// similarity `strategy` (letters from "ctsf": colour, texture, size, fill; their sum is the
// similarity). Returns the `count` initial segments followed by every merged region in merge
// order. Deterministic: ties go to the pair found first.
std::vector<GroupedRegion> hierarchical_grouping(const cv::Mat& labels, int count,
                                                 const PixelBins& bins,
                                                 const std::string& strategy);

}  // namespace wisenet
