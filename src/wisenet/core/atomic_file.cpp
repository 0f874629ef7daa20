#include "wisenet/core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "wisenet/core/error.h"

namespace wisenet {

namespace fs = std::filesystem;

void write_file_atomic(const std::string& path, const std::string& content) {
  const fs::path target(path);
  // Unique per process and per call, so threads writing the same path never share a temp file.
  static std::atomic<uint64_t> counter{0};
  const fs::path temp = target.parent_path() /
                        ("." + target.filename().string() + ".tmp" + std::to_string(getpid()) +
                         "_" + std::to_string(counter.fetch_add(1)));
  FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) {
    throw Error(path, std::string("cannot write: ") + std::strerror(errno));
  }
  const size_t written = std::fwrite(content.data(), 1, content.size(), f);
  const bool flushed = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  const int saved_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (written != content.size() || !flushed || !closed) {
    std::remove(temp.c_str());
    throw Error(path, std::string("write failed: ") + std::strerror(saved_errno ? saved_errno : EIO));
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    std::remove(temp.c_str());
    throw Error(path, "cannot rename temporary file into place: " + ec.message());
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file");
  if (fs::is_directory(path, ec)) throw Error(path, "is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path, "read failed");
  return ss.str();
}

}  // namespace wisenet
