#pragma once
// The watershed split of LCFCN (wisenet.md section 3): the boundaries that separate the
// points of one blob (or of one class over the whole image), reproducing the authors'
// skimage-based code pixel for pixel.
//
// Usage:
//   cv::Mat boundary = watershed_split(S_c, {{x0, y0}, {x1, y1}});  // CV_8U, 1 on boundaries
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/loss/priority_flood.h"

namespace wisenet {

// Black top-hat of `p` (CV_32F): closing(p) - p with a 7x7 square, borders reflected (for a
// max/min filter this equals ignoring the pixels outside). Ensures: CV_32F, same size, >= 0.
cv::Mat black_top_hat(const cv::Mat& p);

// Priority-flood watershed of `elevation` (CV_32F) from `markers` (CV_32S, 0 = unlabelled,
// labels > 0 kept) over 4-neighbours; a pixel takes the label of the pixel that first reaches
// it. Ties are broken exactly as skimage.segmentation.watershed does (wisenet.md section 3:
// markers first with age 0 in raster order, then ages 2, 3, ...; array binary heap ordered by
// (elevation, age)). Ensures: CV_32S labels; with no marker, all zero.
cv::Mat watershed_labels(const cv::Mat& elevation, const cv::Mat& markers);

// Thick boundaries of a label image (CV_32S): 1 where a 4-neighbour has a different label,
// else 0 (CV_8U), as skimage.segmentation.find_boundaries(mode="thick").
cv::Mat label_boundaries(const cv::Mat& labels);

// The boundaries of the watershed of black_top_hat(p) from `markers` (pixel positions inside
// p, labelled 1..K in raster order; a repeated pixel is one marker). Ensures: CV_8U of p's
// size, 1 on boundary pixels; all zero with fewer than 2 distinct markers.
// Throws wisenet::Error when p is not CV_32F or a marker lies outside p.
cv::Mat watershed_split(const cv::Mat& p, const std::vector<cv::Point>& markers);

// The same from a precomputed elevation (CV_32F, e.g. black_top_hat(p)):
// watershed_split(p, m) == watershed_split_with_elevation(black_top_hat(p), m).
// Throws wisenet::Error when elevation is not CV_32F or a marker lies outside it.
cv::Mat watershed_split_with_elevation(const cv::Mat& elevation,
                                       const std::vector<cv::Point>& markers);

// Several splits of one map (the LCFCN loss: the global split of a class and the local split
// of each of its blobs): the black top-hat and the elevation ranks are computed once.
// Results are those of watershed_split, bit for bit. boundary_pixels is const and keeps its
// scratch per thread, so one splitter serves several threads at once.
//
// Usage:
//   WatershedSplitter split(S_c);
//   std::vector<int64_t> b = split.boundary_pixels(markers, &blob.pixels);
class WatershedSplitter {
 public:
  // Throws wisenet::Error when p is not CV_32F single-channel.
  explicit WatershedSplitter(const cv::Mat& p);

  // The row-major indices (y * width + x) of the boundary pixels of watershed_split(p, markers):
  // all of them in increasing order when `within` is null, else those among `*within`
  // (row-major indices inside p), in `*within`'s order. With `within`, the flood stops as soon
  // as those pixels and their 4-neighbours are labelled (labels never change once given).
  // Throws wisenet::Error when a marker or a `within` index lies outside p.
  std::vector<int64_t> boundary_pixels(const std::vector<cv::Point>& markers,
                                       const std::vector<int>* within = nullptr) const;

  const cv::Mat& elevation() const { return elevation_; }

 private:
  std::vector<int64_t> boundary_pixels_with_nan(const std::vector<int32_t>& marker_indices,
                                                const std::vector<int>* within) const;
  cv::Mat elevation_;
  // The flood cells of the elevation (priority_flood.h); unused when an elevation is NaN.
  FloodCells grid_;
  bool has_nan_ = false;
};

}  // namespace wisenet
