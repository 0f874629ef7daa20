#include "wisenet/serve/safe_name.h"

#include <filesystem>

#include "wisenet/core/error.h"

namespace wisenet::serve {

bool is_plain_file_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string join_checked(const std::string& dir, const std::string& name) {
  if (!is_plain_file_name(name)) {
    throw Error("request", "image name '" + name + "' is not a plain file name (refused)");
  }
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace wisenet::serve
