#pragma once
// From an image to located objects with L-Net run by libtorch: probabilities, blobs, seeds and
// counts (wisenet.md section 2; the counting half of the method, LCFCN). Localization and
// localize_from_probabilities (no network, no libtorch) are in localization.h.
#include <vector>

#include <ATen/core/Tensor.h>
#include <opencv2/core.hpp>

#include "wisenet/infer/localization.h"

namespace wisenet {

class WiseNetImpl;

// S = softmax over channels of L-Net's logits for one image (1x(C+1)xHxW or (C+1)xHxW), as
// C+1 CV_32F maps.
std::vector<cv::Mat> probabilities_from_logits(const at::Tensor& logits);

// Runs L-Net (eval mode, no gradient) on an RGB image and finds its blobs. The model's
// train/eval mode is restored afterwards.
Localization localize(WiseNetImpl& model, const cv::Mat& rgb);

}  // namespace wisenet
