// Fuzz target: the COCO results reader (parse_results) against a fixed ground truth of two
// images (ids 1 and 2, 16x16 and 8x12) and two categories. wisenet::Error is the expected
// answer to bad input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_results.h"

namespace {
const wisenet::CocoDataset& ground_truth() {
  static const wisenet::CocoDataset dataset = wisenet::parse_coco(
      R"({"images": [{"id": 1, "file_name": "a.png", "width": 16, "height": 16},
                     {"id": 2, "file_name": "b.png", "width": 12, "height": 8}],
          "categories": [{"id": 1, "name": "a"}, {"id": 3, "name": "b"}],
          "annotations": []})",
      "ground truth");
  return dataset;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)wisenet::parse_results(text, "fuzz.json", ground_truth());
  } catch (const wisenet::Error&) {
  }
  return 0;
}
