#include "wisenet/serve/safe_name.h"

#include <cstdint>
#include <filesystem>

#include "wisenet/core/error.h"

namespace wisenet::serve {

namespace {

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF): names travel in JSON, which holds nothing else.
bool is_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      code = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      code = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if ((n == 2 && code < 0x800) || (n == 3 && (code < 0x10000 || code > 0x10ffff)) ||
        (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

bool is_plain_file_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) return false;
  }
  return is_utf8(name);
}

std::string join_checked(const std::string& dir, const std::string& name) {
  if (!is_plain_file_name(name)) {
    throw Error("request", "image name '" + name + "' is not a plain file name (refused)");
  }
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace wisenet::serve
