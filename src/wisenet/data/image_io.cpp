#include "wisenet/data/image_io.h"

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/image_header.h"

namespace wisenet {

cv::Mat load_image(const std::string& path, int64_t max_pixels) {
  const std::string bytes = read_file(path);
  if (bytes.empty()) throw Error(path, "empty file, not an image");
  check_image_container(path, bytes, max_pixels);
  const std::vector<uchar> buffer(bytes.begin(), bytes.end());
  cv::Mat decoded;
  try {
    // OpenCV refuses images above CV_IO_MAX_IMAGE_PIXELS from the header, before decoding.
    decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Error(path, "cannot decode image (" + std::string(e.err) + ")");
  }
  if (decoded.empty()) throw Error(path, "not a readable image (unknown format or truncated)");
  if (static_cast<int64_t>(decoded.rows) * decoded.cols > max_pixels) {
    throw Error(path, "image too large: " + std::to_string(decoded.cols) + "x" +
                          std::to_string(decoded.rows));
  }
  cv::Mat eight;
  if (decoded.depth() == CV_8U) {
    eight = decoded;
  } else if (decoded.depth() == CV_16U) {
    decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else {
    double lo = 0, hi = 0;
    cv::minMaxLoc(decoded.reshape(1), &lo, &hi);
    decoded.convertTo(eight, CV_8U, hi > lo ? 255.0 / (hi - lo) : 1.0,
                      hi > lo ? -lo * 255.0 / (hi - lo) : 0.0);
  }
  cv::Mat rgb;
  switch (eight.channels()) {
    case 1:
      cv::cvtColor(eight, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 3:
      cv::cvtColor(eight, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4:
      cv::cvtColor(eight, rgb, cv::COLOR_BGRA2RGB);
      break;
    default:
      throw Error(path, "unsupported number of channels: " + std::to_string(eight.channels()));
  }
  return rgb;
}

cv::Size read_image_size(const std::string& path, int64_t max_pixels) {
  const std::string bytes = read_file(path);
  if (bytes.empty()) throw Error(path, "empty file, not an image");
  check_image_container(path, bytes, max_pixels);
  const auto size = image_size_from_header(bytes);
  if (!size) {
    const cv::Mat image = load_image(path, max_pixels);
    return image.size();
  }
  const auto [width, height] = *size;
  if (static_cast<int64_t>(width) * height > max_pixels) {
    throw Error(path, "image too large: " + std::to_string(width) + "x" + std::to_string(height) +
                          " (from its header)");
  }
  return cv::Size(width, height);
}

void save_png(const std::string& path, const cv::Mat& image) {
  cv::Mat out;
  if (image.channels() == 3) {
    cv::cvtColor(image, out, cv::COLOR_RGB2BGR);
  } else {
    out = image;
  }
  std::vector<uchar> buffer;
  if (!cv::imencode(".png", out, buffer)) throw Error(path, "cannot encode PNG");
  write_file_atomic(path, std::string(buffer.begin(), buffer.end()));
}

}  // namespace wisenet
