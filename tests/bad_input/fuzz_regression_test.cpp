// Every input the fuzzers (fuzz/, scripts/fuzz.sh) found crashing, kept as a regression test:
// each must now be a clean wisenet::Error. The same bytes are in fuzz/corpus/<target>/crash-*.
#include <gtest/gtest.h>

#include <string>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/core/rle.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/serve/instance_json.h"

namespace wisenet {
namespace {

using test::error_of;

// A number too large for a double ("66666e666") made nlohmann throw out_of_range, which the
// JSON readers did not catch: the tool died with "terminate called".
TEST(FuzzRegression, CocoJsonNumberOverflowIsAnError) {
  const std::string crash = "{\"image\":66666e666coun_name\":66666666";
  const std::string message = error_of([&] { parse_coco(crash, "crash.json"); });
  EXPECT_EQ(message.rfind("crash.json: malformed JSON: ", 0), 0u) << message;
  EXPECT_EQ(test::count_lines(message + "\n"), 1);
}

TEST(FuzzRegression, CocoResultsNumberOverflowIsAnError) {
  const CocoDataset gt = parse_coco(
      R"({"images": [{"id": 1, "file_name": "a.png", "width": 4, "height": 4}],
          "categories": [{"id": 1, "name": "a"}], "annotations": []})",
      "gt.json");
  const std::string message =
      error_of([&] { parse_results("222222222E222222+2222", "crash.json", gt); });
  EXPECT_EQ(message.rfind("crash.json: malformed JSON: ", 0), 0u) << message;
}

// Deltas of compressed RLE accumulate (each count adds the one two back): long strings of
// large deltas overflowed int64 (undefined behaviour) before the sum check.
TEST(FuzzRegression, CompressedRleRunningSumCannotOverflow) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "oooooooooo?";  // 11 digits: about 2^54 each
  const std::string message = error_of([&] { Rle::from_string(4, 4, big, "rle"); });
  EXPECT_NE(message.find("rle: compressed RLE count"), std::string::npos) << message;
  // And a mask of 2^32 pixels or more cannot be represented with uint32 runs.
  EXPECT_NE(error_of([&] { Rle(70000, 70000); }).find("too large"), std::string::npos);
}

// A polygon with a repeated vertex has an edge of length 0; its slope was 0/0 = NaN, cast to
// int (undefined behaviour). Coordinates too large for int were undefined behaviour too.
TEST(FuzzRegression, PolygonWithARepeatedVertexOrWildCoordinates) {
  const CocoDataset dataset = parse_coco(
      R"({"images": [{"id": 1, "file_name": "a.png", "width": 4, "height": 4}],
          "categories": [{"id": 1, "name": "a"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
                           "segmentation": [[4, 0, 4, 0, 4, 3, 0, 3]]}]})",
      "crash.json");
  ASSERT_EQ(dataset.annotations.size(), 1u);
  EXPECT_GT(dataset.annotations[0].instance.mask.area(), 0);
  EXPECT_EQ(Rle::from_polygon(4, 4, {1, 1, 1, 1, 1, 1}).height(), 4);
  const std::string message = error_of([&] {
    parse_coco(R"({"images": [{"id": 1, "file_name": "a.png", "width": 4, "height": 4}],
                   "categories": [{"id": 1, "name": "a"}],
                   "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
                                    "segmentation": [[1e300, 0, 4, 0, 4, 3]]}]})",
               "wild.json");
  });
  EXPECT_NE(message.find("wild.json: "), std::string::npos) << message;
  EXPECT_NE(message.find("out of range"), std::string::npos) << message;
}

// The annotation server converted a request's mask size with get<int>(): 8.9e44 is undefined
// behaviour. Now a request error.
TEST(FuzzRegression, ServerMaskWithAHugeSizeIsARequestError) {
  const auto mask = nlohmann::json::parse(
      R"({"size": [4, 888888888888888888888888888888888888888888840], "counts": [5]})");
  EXPECT_NE(error_of([&] { serve::mask_from_json(mask, "mask"); }).find("positive integers"),
            std::string::npos);
  const auto fractional = nlohmann::json::parse(R"({"size": [2, 2], "counts": [1.5, 2.5]})");
  EXPECT_NE(error_of([&] { serve::mask_from_json(fractional, "mask"); }).find("integers"),
            std::string::npos);
}

}  // namespace
}  // namespace wisenet
