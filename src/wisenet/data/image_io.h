#pragma once
// Reading and writing images, with the errors a user needs.
#include <string>

#include <opencv2/core.hpp>

namespace wisenet {

// Reads an image file as 8-bit RGB (CV_8UC3). Grayscale is replicated to three channels,
// an alpha channel is dropped, 16-bit images are scaled to 8 bits. Throws wisenet::Error
// naming the path for a missing file, an undecodable file, an empty image, or one larger
// than `max_pixels` (checked from the header before decoding where the format allows); PNG
// and JPEG containers are checked first (image_header.h), so a broken file is one error line.
cv::Mat load_image(const std::string& path, int64_t max_pixels = int64_t{1} << 28);

// The size load_image(path) would return, read from the header for PNG and JPEG (no
// decoding), by decoding for other formats. The same errors as load_image for a missing,
// broken, empty or oversized file (a PNG's container is checked whole; a JPEG's pixels are
// not decoded, so a corrupt scan is found only when the image is loaded).
cv::Size read_image_size(const std::string& path, int64_t max_pixels = int64_t{1} << 28);

// Writes an RGB (CV_8UC3) or gray (CV_8UC1) image as PNG atomically.
void save_png(const std::string& path, const cv::Mat& image);

}  // namespace wisenet
