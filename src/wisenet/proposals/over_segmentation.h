#pragma once
// The starting point of selective search: an image in one colour space, cut into small
// regions by Felzenszwalb's graph segmentation.
#include <string>

#include <opencv2/core.hpp>

namespace wisenet {

// An RGB CV_8UC3 image converted to "rgb", "hsv" or "lab" (8-bit, OpenCV's scaling).
// Throws wisenet::Error for another name.
cv::Mat convert_color_space(const cv::Mat& rgb, const std::string& space);

// Felzenszwalb-Huttenlocher segmentation (OpenCV contrib). Returns CV_32S labels 0..count-1,
// every label used; `count` receives the number of regions.
cv::Mat graph_segmentation(const cv::Mat& image, double sigma, int k, int min_size, int* count);

}  // namespace wisenet
