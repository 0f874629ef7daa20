#pragma once
// A structural check of PNG and JPEG files before they reach the decoders. libpng and libjpeg
// print their own complaints on stderr for broken files; checking the container first turns
// the common breakages (truncation, a flipped byte, a 0x0 or a decompression-bomb header) into
// one clear error and keeps the decoders' chatter away from the user.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace wisenet {

// Throws wisenet::Error naming `path` when `bytes` start like a PNG whose chunks are cut
// short, fail their CRC, lack IHDR/IDAT/IEND, or whose IHDR size is 0 or above `max_pixels`;
// or like a JPEG without its end marker. Other formats pass unchecked.
void check_image_container(const std::string& path, const std::string& bytes, int64_t max_pixels);

// (width, height) as a PNG's IHDR or a JPEG's start-of-frame gives it, without decoding; what
// the decoder returns for these formats (OpenCV's IMREAD_UNCHANGED ignores EXIF orientation).
// nullopt for other formats and for a JPEG whose frame header cannot be found. Call after
// check_image_container (a PNG is assumed to hold a whole IHDR).
std::optional<std::pair<int, int>> image_size_from_header(const std::string& bytes);

}  // namespace wisenet
