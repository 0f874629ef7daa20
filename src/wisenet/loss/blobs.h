#pragma once
// Blobs of a label map (wisenet.md section 2), shared by the LCFCN loss and by prediction.
//
// Usage:
//   std::vector<cv::Mat> S = ...;          // C+1 maps, CV_32F, channel 0 = background
//   BlobMap blobs = find_blobs(S, points); // points: Point::category is the channel 1..C
//   for (const Blob& b : blobs.blobs) if (b.point_count() == 0) { /* false positive */ }
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"

namespace wisenet {

// One 8-connected component of {argmax S = category}.
// Ensures: `pixels` are row-major linear indices (y * width + x) in increasing order and
// area == pixels.size(); `seed` is the blob's pixel of highest S_category (ties: the first in
// row-major order) and `seed_score` its value; `point_indices` are the indices (into the
// points given to find_blobs) of the points of this blob's class lying inside it, in the order
// given, so point_count() is n_b.
struct Blob {
  int category = 0;
  std::vector<int> pixels;
  int area = 0;
  cv::Point seed;
  float seed_score = 0.f;
  std::vector<int> point_indices;
  int point_count() const { return static_cast<int>(point_indices.size()); }
};

// All blobs of one image.
// Ensures: blobs are ordered by class, then by their first pixel in row-major order;
// `blob_index` (CV_32S, image size) holds each pixel's index into `blobs`, -1 for background;
// `argmax` (CV_32S) is the per-pixel argmax channel (ties to the lowest channel, as
// torch.argmax).
struct BlobMap {
  cv::Mat argmax;
  cv::Mat blob_index;
  std::vector<Blob> blobs;
};

// Per-pixel argmax over C+1 same-size CV_32F maps; ties go to the lowest channel.
// Throws wisenet::Error when the maps are empty, differ in size or are not CV_32F.
cv::Mat argmax_channel(const std::vector<cv::Mat>& probs);

// The blobs of every class c >= 1 of the argmax of `probs` (C+1 CV_32F maps, channel 0 the
// background). Points whose category is outside 1..C or whose pixel is outside the image throw
// wisenet::Error.
BlobMap find_blobs(const std::vector<cv::Mat>& probs, const std::vector<Point>& points);

// Throws wisenet::Error "<where>: point i ..." for the first point outside the width x height
// image or whose category is outside 1..classes.
void check_points(const std::vector<Point>& points, int classes, int64_t height, int64_t width,
                  const std::string& where);

// A blob as a CV_8U mask (255 inside) of the given image size.
cv::Mat blob_mask(const Blob& blob, cv::Size size);

}  // namespace wisenet
