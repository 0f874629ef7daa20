#pragma once
#include <string>

namespace wisenet {
// Writes `content` to `path` through a temporary file in the same folder and a rename, so a
// reader never sees a half-written file. Throws wisenet::Error naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& content);
// Reads a whole file; throws wisenet::Error naming the path when it cannot be read.
std::string read_file(const std::string& path);
}  // namespace wisenet
