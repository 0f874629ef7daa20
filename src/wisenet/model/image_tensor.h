#pragma once
// The network's input convention: RGB, scaled to [0, 1], normalised with ImageNet mean/std
// (the paper's normalisation, and what torchvision's pretrained weights expect).
#include <torch/torch.h>

#include <opencv2/core.hpp>

namespace wisenet {

// rgb8: CV_8UC3 in RGB order (CV_8UC1 is taken as grey and replicated).
// Returns a 1×3×H×W float tensor, (v / 255 − mean) / std per channel, with
// mean = (0.485, 0.456, 0.406), std = (0.229, 0.224, 0.225).
// Throws wisenet::Error for an empty image or another pixel type.
torch::Tensor image_to_tensor(const cv::Mat& rgb8);

}  // namespace wisenet
