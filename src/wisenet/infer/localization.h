#pragma once
// Located objects from L-Net's probability maps (wisenet.md section 2; LCFCN), without
// libtorch: blobs of the argmax map, their seeds and statistics. localizer.h runs L-Net with
// libtorch and ends here; the OpenCV dnn path (deploy/onnx_runner.h) calls it directly.
// Usage:
//   std::vector<cv::Mat> maps = ...;  // C+1 CV_32F maps, channel 0 background
//   Localization located = localize_from_probabilities(std::move(maps));
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"
#include "wisenet/loss/blobs.h"

namespace wisenet {

// One located object: a blob of the argmax map.
struct LocatedObject {
  int channel = 0;  // 1..C, the L-Net channel (not the dataset category id)
  cv::Point seed;   // the blob's pixel of highest probability for its class
  int area = 0;     // pixels
  float max_probability = 0;
  float mean_probability = 0;
};

struct Localization {
  std::vector<cv::Mat> probabilities;  // C+1 maps, CV_32F, image size; channel 0 background
  BlobMap blob_map;
  std::vector<LocatedObject> objects;  // one per blob, in blob_map.blobs order
  // Number of objects per channel (index 0 unused).
  std::vector<int> counts() const;
};

// Blobs and per-blob statistics from probability maps (no network). Throws wisenet::Error as
// find_blobs does for fewer than 2 maps, maps of different sizes or not CV_32F.
Localization localize_from_probabilities(std::vector<cv::Mat> probabilities);

}  // namespace wisenet
