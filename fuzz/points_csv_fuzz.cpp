// Fuzz target: the points CSV reader (parse_points_csv) into a fixed dataset of two images
// and two categories. wisenet::Error is the expected answer to bad input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/data/points_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const wisenet::CocoDataset base = wisenet::parse_coco(
      R"({"images": [{"id": 1, "file_name": "a.png", "width": 16, "height": 16},
                     {"id": 2, "file_name": "b.png", "width": 12, "height": 8}],
          "categories": [{"id": 1, "name": "cell"}, {"id": 3, "name": "dot"}],
          "annotations": []})",
      "base");
  const std::string text(reinterpret_cast<const char*>(data), size);
  wisenet::CocoDataset dataset = base;
  try {
    wisenet::parse_points_csv(text, "fuzz.csv", dataset);
  } catch (const wisenet::Error&) {
  }
  return 0;
}
