// Fuzz target: pycocotools' compressed RLE string decoder (Rle::from_string). The first two
// bytes pick the mask size, the rest is the string; a decoded mask must re-encode to a valid
// mask of the same size. wisenet::Error is the expected answer to bad input; anything else
// (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/core/rle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int height = data[0] % 64;
  const int width = data[1] % 64;
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  try {
    const wisenet::Rle rle = wisenet::Rle::from_string(height, width, text, "fuzz");
    const wisenet::Rle again = wisenet::Rle::from_string(height, width, rle.to_string(), "again");
    if (again.area() != rle.area()) std::abort();
    (void)rle.bbox();
  } catch (const wisenet::Error&) {
  }
  return 0;
}
