// LabelMe reader: files written by hand to LabelMe's documented JSON layout.
#include "wisenet/data/labelme_json.h"

#include <gtest/gtest.h>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// Two objects, one drawn twice (a click and a polygon sharing group_id 7), and a rectangle.
const char* kImageA = R"({
  "version": "5.2.1", "flags": {},
  "shapes": [
    {"label": "cell", "points": [[10.7, 5.2]], "group_id": null, "shape_type": "point", "flags": {}},
    {"label": "cell", "points": [[20, 10]], "group_id": 7, "shape_type": "point", "flags": {}},
    {"label": "cell", "points": [[16, 6], [26, 6], [26, 14], [16, 14]], "group_id": 7,
     "shape_type": "polygon", "flags": {}},
    {"label": "debris", "points": [[1, 1], [4, 4]], "group_id": null, "shape_type": "rectangle",
     "flags": {}}
  ],
  "imagePath": "a.png", "imageData": null, "imageHeight": 20, "imageWidth": 32
})";

const char* kImageB = R"({
  "version": "5.2.1", "flags": {},
  "shapes": [
    {"label": "debris", "points": [[0, 0]], "group_id": null, "shape_type": "point", "flags": {}},
    {"label": "cell", "points": [[31.9, 19.9]], "group_id": null, "shape_type": "point", "flags": {}}
  ],
  "imagePath": "b.png", "imageData": null, "imageHeight": 20, "imageWidth": 32
})";

fs::path write_folder() {
  const fs::path dir = test::temp_dir("labelme");
  write_file_atomic((dir / "a.json").string(), kImageA);
  write_file_atomic((dir / "b.json").string(), kImageB);
  write_file_atomic((dir / "notes.txt").string(), "not LabelMe");
  return dir;
}

TEST(LabelMe, ReadsPointsPolygonsAndJoinsGroups) {
  const ForeignAnnotations r = read_labelme(write_folder().string());
  const CocoDataset& d = r.dataset;
  ASSERT_EQ(d.images.size(), 2u);
  EXPECT_EQ(d.images[0].file_name, "a.png");
  EXPECT_EQ(d.images[0].width, 32);
  EXPECT_EQ(d.images[0].height, 20);
  ASSERT_EQ(d.categories.size(), 2u);
  EXPECT_EQ(d.categories[0].name, "cell");
  EXPECT_EQ(d.categories[1].name, "debris");
  ASSERT_EQ(d.annotations.size(), 4u);  // a: click, click+polygon; b: two clicks
  EXPECT_FALSE(d.annotations[0].has_mask);
  EXPECT_EQ(*d.annotations[0].instance.point, (Point{10, 5, 1}));
  const Annotation& joined = d.annotations[1];
  EXPECT_TRUE(joined.has_mask);
  EXPECT_EQ(*joined.instance.point, (Point{20, 10, 1}));
  EXPECT_TRUE(joined.instance.mask.contains(20, 10));
  EXPECT_GT(joined.instance.area, 60);
  EXPECT_EQ(d.annotations[2].image_id, 2);
  EXPECT_EQ(d.annotations[2].instance.category, 2);
  EXPECT_EQ(*d.annotations[3].instance.point, (Point{31, 19, 1}));
  EXPECT_EQ(r.report.points, 4);
  EXPECT_EQ(r.report.masks, 1);
  ASSERT_EQ(r.report.dropped.size(), 1u);
  EXPECT_EQ(r.report.dropped.at("rectangle"), 1);
  EXPECT_EQ(r.report.summary(), "4 points, 1 masks; dropped: 1 rectangle");
}

TEST(LabelMe, OneFileAlone) {
  const fs::path dir = write_folder();
  const ForeignAnnotations r = read_labelme((dir / "b.json").string());
  EXPECT_EQ(r.dataset.images.size(), 1u);
  EXPECT_EQ(r.dataset.annotations.size(), 2u);
  EXPECT_TRUE(r.report.dropped.empty());
}

TEST(LabelMe, BadInputIsOneLineNamingFileAndShape) {
  const fs::path dir = test::temp_dir("labelme_bad");
  const auto error_for = [&](const std::string& text) {
    write_file_atomic((dir / "x.json").string(), text);
    return test::error_of([&] { read_labelme((dir / "x.json").string()); });
  };
  const std::string outside = error_for(
      R"({"shapes": [{"label": "c", "points": [[40, 2]], "shape_type": "point"}],
          "imagePath": "x.png", "imageHeight": 20, "imageWidth": 32})");
  EXPECT_NE(outside.find("x.json: shape 0: point (40, 2) lies outside image \"x.png\" (32x20)"),
            std::string::npos)
      << outside;
  EXPECT_EQ(test::count_lines(outside + "\n"), 1);
  const std::string no_width =
      error_for(R"({"shapes": [], "imagePath": "x.png", "imageHeight": 2})");
  EXPECT_NE(no_width.find("x.json"), std::string::npos) << no_width;
  EXPECT_NE(no_width.find("imageWidth"), std::string::npos) << no_width;
  const std::string two_vertices = error_for(
      R"({"shapes": [{"label": "c", "points": [[1, 2], [3, 4]], "shape_type": "polygon"}],
          "imagePath": "x.png", "imageHeight": 20, "imageWidth": 32})");
  EXPECT_NE(two_vertices.find("x.json: shape 0: a polygon needs at least 3 vertices"),
            std::string::npos)
      << two_vertices;
  const std::string malformed = error_for("{\"shapes\": [");
  EXPECT_NE(malformed.find("x.json"), std::string::npos) << malformed;
  EXPECT_NE(test::error_of([&] {
              read_labelme(test::temp_dir("labelme_empty").string());
            }).find("no LabelMe .json file"),
            std::string::npos);
}

}  // namespace
}  // namespace wisenet
