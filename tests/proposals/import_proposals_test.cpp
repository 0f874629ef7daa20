#include "wisenet/proposals/import_proposals.h"

#include <gtest/gtest.h>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"

namespace wisenet {
namespace {

CocoDataset two_images() {
  return parse_coco(R"({"images": [{"id": 1, "file_name": "a.png", "height": 4, "width": 3},
                                   {"id": 2, "file_name": "b.png", "height": 2, "width": 2}],
                        "categories": [{"id": 1, "name": "thing"}], "annotations": []})",
                    "gt.json");
}

TEST(ImportProposals, GroupsByImageAndSortsByScore) {
  const std::string path = (test::temp_dir("import") / "results.json").string();
  // Image 1 (4x3): column-major counts; image 2 (2x2).
  write_file_atomic(path, R"([
    {"image_id": 1, "category_id": 1, "score": 0.3, "segmentation": {"size": [4, 3], "counts": [1, 2, 9]}},
    {"image_id": 2, "category_id": 1, "score": 0.6, "segmentation": {"size": [2, 2], "counts": [0, 4]}},
    {"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": {"size": [4, 3], "counts": [4, 4, 4]}}
  ])");
  const auto proposals = import_proposals(path, two_images());
  ASSERT_EQ(proposals.size(), 2u);
  const Proposals& first = proposals.at(1);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_DOUBLE_EQ(first[0].score, 0.9);
  EXPECT_EQ(first[0].mask.area(), 4);
  EXPECT_TRUE(first[0].mask.contains(1, 0));
  EXPECT_DOUBLE_EQ(first[1].score, 0.3);
  EXPECT_EQ(first[1].mask.area(), 2);
  EXPECT_TRUE(first[1].mask.contains(0, 1));
  EXPECT_EQ(proposals.at(2)[0].mask.area(), 4);
}

TEST(ImportProposals, RejectsScoreOutsideUnitInterval) {
  const std::string path = (test::temp_dir("import") / "results.json").string();
  write_file_atomic(path, R"([{"image_id": 2, "category_id": 1, "score": 1.5,
                               "segmentation": {"size": [2, 2], "counts": [0, 4]}}])");
  try {
    import_proposals(path, two_images());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("result 0"), std::string::npos);
  }
}

TEST(ImportProposals, RejectsUnknownImage) {
  const std::string path = (test::temp_dir("import") / "results.json").string();
  write_file_atomic(path, R"([{"image_id": 9, "category_id": 1, "score": 0.5,
                               "segmentation": {"size": [2, 2], "counts": [0, 4]}}])");
  EXPECT_THROW(import_proposals(path, two_images()), Error);
}

}  // namespace
}  // namespace wisenet
