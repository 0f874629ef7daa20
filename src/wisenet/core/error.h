#pragma once
// wisenet::Error: the one exception type the library throws for bad input or failed I/O.
// Contract: what() is a single line naming the file (when there is one), the item and the
// problem, e.g. "data/train.json: annotation 12: point (300, 4) lies outside image 7 (256x256)".
// The command line catches it once in main, prints what() and exits non-zero.
#include <stdexcept>
#include <string>

namespace wisenet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  // "<file>: <message>"; an empty file gives just the message.
  Error(const std::string& file, const std::string& message)
      : std::runtime_error(file.empty() ? message : file + ": " + message) {}
};

}  // namespace wisenet
