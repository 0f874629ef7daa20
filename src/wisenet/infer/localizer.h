#pragma once
// From an image to located objects with L-Net: probabilities, blobs, seeds and counts
// (wisenet.md section 2; the counting half of the method, LCFCN).
#include <vector>

#include <ATen/core/Tensor.h>
#include <opencv2/core.hpp>

#include "wisenet/core/types.h"
#include "wisenet/loss/blobs.h"

namespace wisenet {

class WiseNetImpl;

// One located object: a blob of the argmax map.
struct LocatedObject {
  int channel = 0;       // 1..C, the L-Net channel (not the dataset category id)
  cv::Point seed;        // the blob's pixel of highest probability for its class
  int area = 0;          // pixels
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

// S = softmax over channels of L-Net's logits for one image (1x(C+1)xHxW or (C+1)xHxW), as
// C+1 CV_32F maps.
std::vector<cv::Mat> probabilities_from_logits(const at::Tensor& logits);

// Runs L-Net (eval mode, no gradient) on an RGB image and finds its blobs. The model's
// train/eval mode is restored afterwards.
Localization localize(WiseNetImpl& model, const cv::Mat& rgb);

// Blobs and per-blob statistics from probability maps (no network).
Localization localize_from_probabilities(std::vector<cv::Mat> probabilities);

}  // namespace wisenet
