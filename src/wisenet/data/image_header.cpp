#include "wisenet/data/image_header.h"

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

uint32_t be32(const std::string& bytes, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 3]));
}

uint32_t crc32(const std::string& bytes, size_t begin, size_t end) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = begin; i < end; ++i) {
    crc ^= static_cast<uint8_t>(bytes[i]);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void check_png(const std::string& path, const std::string& bytes, int64_t max_pixels) {
  size_t at = 8;
  bool ihdr = false, idat = false;
  while (true) {
    if (bytes.size() - at < 12) throw Error(path, "truncated PNG (ends inside a chunk header)");
    const uint32_t length = be32(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (length > bytes.size() - at - 12) {
      throw Error(path, "truncated PNG (chunk " + type + " runs past the end of the file)");
    }
    const size_t data = at + 8;
    if (be32(bytes, data + length) != crc32(bytes, at + 4, data + length)) {
      throw Error(path, "corrupt PNG (chunk " + type + " fails its CRC)");
    }
    if (!ihdr) {
      if (type != "IHDR" || length != 13) throw Error(path, "corrupt PNG (no IHDR chunk first)");
      ihdr = true;
      const uint32_t width = be32(bytes, data), height = be32(bytes, data + 4);
      if (width == 0 || height == 0) {
        throw Error(path, "empty image (" + std::to_string(width) + "x" + std::to_string(height) +
                              " in its header)");
      }
      if (static_cast<double>(width) * height > static_cast<double>(max_pixels)) {
        throw Error(path, "image too large: " + std::to_string(width) + "x" +
                              std::to_string(height) + " (from its header)");
      }
    }
    idat |= type == "IDAT";
    at = data + length + 4;
    if (type == "IEND") break;
  }
  if (!idat) throw Error(path, "corrupt PNG (no image data)");
}

uint32_t be16(const std::string& bytes, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 1]));
}

bool is_png(const std::string& bytes) { return bytes.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0; }

bool is_jpeg(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0xff &&
         static_cast<uint8_t>(bytes[1]) == 0xd8;
}

// Walks the JPEG segments from SOI to the first start-of-frame marker (SOF0..SOF15 except
// DHT C4, JPG C8 and DAC CC): [FF Cn][length][precision][height][width].
std::optional<std::pair<int, int>> jpeg_size(const std::string& bytes) {
  size_t at = 2;
  while (at + 4 <= bytes.size()) {
    if (static_cast<uint8_t>(bytes[at]) != 0xff) return std::nullopt;
    const uint8_t marker = static_cast<uint8_t>(bytes[at + 1]);
    if (marker == 0xff) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // no length
      at += 2;
      continue;
    }
    if (marker == 0xd9 || marker == 0xda) return std::nullopt;  // EOI or scan before a frame
    const uint32_t length = be16(bytes, at + 2);
    if (length < 2) return std::nullopt;
    const bool frame =
        marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (frame) {
      if (length < 7 || at + 9 > bytes.size()) return std::nullopt;
      const int height = static_cast<int>(be16(bytes, at + 5));
      const int width = static_cast<int>(be16(bytes, at + 7));
      if (width == 0 || height == 0) return std::nullopt;  // height 0: given by a later DNL
      return std::make_pair(width, height);
    }
    at += 2 + length;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<int, int>> image_size_from_header(const std::string& bytes) {
  if (is_png(bytes) && bytes.size() >= 24) {
    const uint32_t width = be32(bytes, 16), height = be32(bytes, 20);
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
      return std::nullopt;
    }
    return std::make_pair(static_cast<int>(width), static_cast<int>(height));
  }
  if (is_jpeg(bytes)) return jpeg_size(bytes);
  return std::nullopt;
}

void check_image_container(const std::string& path, const std::string& bytes, int64_t max_pixels) {
  if (is_png(bytes)) {
    check_png(path, bytes, max_pixels);
  } else if (is_jpeg(bytes)) {
    // The end-of-image marker, allowing a little trailing padding some writers add.
    const size_t tail = bytes.size() > 64 ? bytes.size() - 64 : 0;
    if (bytes.find("\xff\xd9", tail) == std::string::npos) {
      throw Error(path, "truncated JPEG (no end-of-image marker)");
    }
  }
}

}  // namespace wisenet
