#include "wisenet/proposals/over_segmentation.h"

#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/segmentation.hpp>

#include "wisenet/core/error.h"

namespace wisenet {

cv::Mat convert_color_space(const cv::Mat& rgb, const std::string& space) {
  if (rgb.type() != CV_8UC3) throw Error("convert_color_space: image is not 8-bit RGB");
  cv::Mat converted;
  if (space == "rgb") {
    converted = rgb;
  } else if (space == "hsv") {
    cv::cvtColor(rgb, converted, cv::COLOR_RGB2HSV);
  } else if (space == "lab") {
    cv::cvtColor(rgb, converted, cv::COLOR_RGB2Lab);
  } else {
    throw Error("convert_color_space: unknown colour space '" + space + "'");
  }
  return converted;
}

cv::Mat graph_segmentation(const cv::Mat& image, double sigma, int k, int min_size, int* count) {
  auto segmenter = cv::ximgproc::segmentation::createGraphSegmentation(
      sigma, static_cast<float>(k), min_size);
  cv::Mat labels;
  segmenter->processImage(image, labels);
  double max_label = 0;
  cv::minMaxLoc(labels, nullptr, &max_label);
  // OpenCV documents sequential ids; relabel anyway so a gap can never leave an empty region.
  std::vector<int> remap(static_cast<size_t>(max_label) + 1, -1);
  int next = 0;
  for (int y = 0; y < labels.rows; ++y) {
    int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      int& id = remap[row[x]];
      if (id < 0) id = next++;
      row[x] = id;
    }
  }
  *count = next;
  return labels;
}

}  // namespace wisenet
