// Fuzz target: the COCO instance JSON reader (parse_coco), with the `center` point rule so
// masks are decoded and walked too. wisenet::Error is the expected answer to bad input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  wisenet::CocoReadOptions options;
  options.point_rule = wisenet::PointRule::kCenter;
  try {
    const wisenet::CocoDataset dataset = wisenet::parse_coco(text, "fuzz.json", options);
    (void)wisenet::coco_to_json_text(dataset);
  } catch (const wisenet::Error&) {
  }
  return 0;
}
