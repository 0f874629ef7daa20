#include "wisenet/viz/overlay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"

namespace wisenet {

cv::Vec3b instance_colour(int index) {
  const double golden = 0.618033988749895;
  const double hue = std::fmod(0.1 + index * golden, 1.0) * 180.0;  // OpenCV hue range
  const double value = index % 2 == 0 ? 255 : 210;
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 200, value)), rgb;
  cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
  cv::Vec3b c = rgb.at<cv::Vec3b>(0, 0);
  for (int k = 0; k < 3; ++k) c[k] = static_cast<uint8_t>(std::max<int>(c[k], 40));
  return c;
}

cv::Mat draw_overlay(const cv::Mat& rgb, const std::vector<Instance>& instances,
                     const OverlayOptions& options) {
  cv::Mat out;
  if (rgb.type() == CV_8UC1) {
    cv::cvtColor(rgb, out, cv::COLOR_GRAY2RGB);
  } else if (rgb.type() == CV_8UC3) {
    out = rgb.clone();
  } else {
    throw Error("draw_overlay: the image must be 8-bit RGB or grey");
  }
  for (size_t i = 0; i < instances.size(); ++i) {
    const Rle& m = instances[i].mask;
    if (m.height() != out.rows || m.width() != out.cols) {
      throw Error("draw_overlay: instance " + std::to_string(i) + " mask is " +
                  std::to_string(m.height()) + "x" + std::to_string(m.width()) + ", image is " +
                  std::to_string(out.rows) + "x" + std::to_string(out.cols));
    }
  }
  for (size_t i = 0; i < instances.size(); ++i) {
    const cv::Vec3b colour = instance_colour(static_cast<int>(i));
    const cv::Mat mask = instances[i].mask.to_mask();
    for (int y = 0; y < out.rows; ++y) {
      const uint8_t* in = mask.ptr<uint8_t>(y);
      cv::Vec3b* px = out.ptr<cv::Vec3b>(y);
      for (int x = 0; x < out.cols; ++x) {
        if (!in[x]) continue;
        for (int k = 0; k < 3; ++k) {
          px[x][k] = cv::saturate_cast<uint8_t>((1 - options.alpha) * px[x][k] +
                                                options.alpha * colour[k]);
        }
      }
    }
    const cv::Scalar dark(colour[0] * 0.6, colour[1] * 0.6, colour[2] * 0.6);
    if (options.outlines) {
      std::vector<std::vector<cv::Point>> contours;
      cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
      cv::drawContours(out, contours, -1, dark, 1);
    }
    if (options.points && instances[i].point) {
      const cv::Point p(instances[i].point->x, instances[i].point->y);
      cv::drawMarker(out, p, cv::Scalar(255, 255, 255), cv::MARKER_CROSS, 7, 3);
      cv::drawMarker(out, p, dark, cv::MARKER_CROSS, 7, 1);
    }
    if (options.labels) {
      const auto found = options.category_names.find(instances[i].category);
      const std::string name = found != options.category_names.end()
                                   ? found->second
                                   : std::to_string(instances[i].category);
      char text[160];
      std::snprintf(text, sizeof text, "%s %.2f", name.c_str(), instances[i].score);
      const auto& b = instances[i].bbox;
      const cv::Point origin(static_cast<int>(b[0]), std::max(10, static_cast<int>(b[1]) - 2));
      cv::putText(out, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.35, cv::Scalar(0, 0, 0), 2,
                  cv::LINE_AA);
      cv::putText(out, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.35,
                  cv::Scalar(colour[0], colour[1], colour[2]), 1, cv::LINE_AA);
    }
  }
  return out;
}

}  // namespace wisenet
