#include "wisenet/model/image_tensor.h"

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"

namespace wisenet {

torch::Tensor image_to_tensor(const cv::Mat& rgb8) {
  if (rgb8.empty()) throw Error("image_to_tensor: empty image");
  cv::Mat rgb;
  if (rgb8.type() == CV_8UC3) {
    rgb = rgb8.isContinuous() ? rgb8 : rgb8.clone();
  } else if (rgb8.type() == CV_8UC1) {
    cv::cvtColor(rgb8, rgb, cv::COLOR_GRAY2RGB);
  } else {
    throw Error("image_to_tensor: expected an 8-bit RGB or grey image, got OpenCV type " +
                std::to_string(rgb8.type()));
  }
  const torch::Tensor hwc =
      torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).to(torch::kFloat);
  const torch::Tensor mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
  const torch::Tensor stddev = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
  // to(kFloat) already copied out of rgb's buffer, so the result owns its memory.
  return (hwc.permute({2, 0, 1}).unsqueeze(0).div(255.0f) - mean).div(stddev).contiguous();
}

}  // namespace wisenet
