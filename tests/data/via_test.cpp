// VIA reader: a project JSON and a CSV export written by hand to VIA 2's documented layout.
#include "wisenet/data/via_annotations.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

fs::path folder_with_images() {
  const fs::path dir = test::temp_dir("via");
  cv::imwrite((dir / "a.png").string(), cv::Mat(20, 32, CV_8UC3, cv::Scalar(9, 9, 9)));
  cv::imwrite((dir / "b.png").string(), cv::Mat(10, 12, CV_8UC1, cv::Scalar(0)));
  return dir;
}

const char* kProject = R"({
  "_via_settings": {"ui": {}},
  "_via_img_metadata": {
    "a.png1234": {"filename": "a.png", "size": 1234, "file_attributes": {}, "regions": [
      {"shape_attributes": {"name": "point", "cx": 3, "cy": 4}, "region_attributes": {"type": "cell"}},
      {"shape_attributes": {"name": "polygon", "all_points_x": [10, 20, 20, 10],
                            "all_points_y": [2, 2, 12, 12]}, "region_attributes": {"type": "nucleus"}},
      {"shape_attributes": {"name": "rect", "x": 1, "y": 1, "width": 3, "height": 3},
       "region_attributes": {"type": "cell"}}
    ]},
    "b.png99": {"filename": "b.png", "size": 99, "file_attributes": {}, "regions": [
      {"shape_attributes": {"name": "point", "cx": 11.5, "cy": 9.5}, "region_attributes": {"type": "cell"}}
    ]}
  },
  "_via_attributes": {"region": {}, "file": {}}
})";

// The CSV export of the same project (VIA doubles the quotes inside its JSON columns).
const char* kCsv =
    "filename,file_size,file_attributes,region_count,region_id,region_shape_attributes,"
    "region_attributes\n"
    "a.png,1234,\"{}\",3,0,\"{\"\"name\"\":\"\"point\"\",\"\"cx\"\":3,\"\"cy\"\":4}\","
    "\"{\"\"type\"\":\"\"cell\"\"}\"\n"
    "a.png,1234,\"{}\",3,1,\"{\"\"name\"\":\"\"polygon\"\",\"\"all_points_x\"\":[10,20,20,10],"
    "\"\"all_points_y\"\":[2,2,12,12]}\",\"{\"\"type\"\":\"\"nucleus\"\"}\"\n"
    "a.png,1234,\"{}\",3,2,\"{\"\"name\"\":\"\"rect\"\",\"\"x\"\":1,\"\"y\"\":1,\"\"width\"\":3,"
    "\"\"height\"\":3}\",\"{\"\"type\"\":\"\"cell\"\"}\"\n"
    "b.png,99,\"{}\",1,0,\"{\"\"name\"\":\"\"point\"\",\"\"cx\"\":11.5,\"\"cy\"\":9.5}\","
    "\"{\"\"type\"\":\"\"cell\"\"}\"\n";

void expect_the_project(const ForeignAnnotations& r) {
  const CocoDataset& d = r.dataset;
  ASSERT_EQ(d.images.size(), 2u);
  EXPECT_EQ(d.images[0].file_name, "a.png");
  EXPECT_EQ(d.images[0].width, 32);
  EXPECT_EQ(d.images[0].height, 20);
  EXPECT_EQ(d.images[1].width, 12);
  ASSERT_EQ(d.categories.size(), 2u);
  EXPECT_EQ(d.categories[0].name, "cell");
  EXPECT_EQ(d.categories[1].name, "nucleus");
  ASSERT_EQ(d.annotations.size(), 3u);
  EXPECT_EQ(*d.annotations[0].instance.point, (Point{3, 4, 1}));
  EXPECT_TRUE(d.annotations[1].has_mask);
  EXPECT_EQ(d.annotations[1].instance.category, 2);
  EXPECT_TRUE(d.annotations[1].instance.mask.contains(15, 7));
  EXPECT_FALSE(d.annotations[1].instance.mask.contains(5, 7));
  EXPECT_EQ(*d.annotations[2].instance.point, (Point{11, 9, 1}));
  EXPECT_EQ(r.report.summary(), "2 points, 1 masks; dropped: 1 rect");
}

TEST(Via, ProjectJson) {
  const fs::path dir = folder_with_images();
  write_file_atomic((dir / "project.json").string(), kProject);
  expect_the_project(read_via_json((dir / "project.json").string(), {"type", ""}));
}

TEST(Via, CsvExportMatchesTheProject) {
  const fs::path dir = folder_with_images();
  const fs::path elsewhere = test::temp_dir("via_csv");
  write_file_atomic((elsewhere / "export.csv").string(), kCsv);
  expect_the_project(read_via_csv((elsewhere / "export.csv").string(), {"type", dir.string()}));
}

TEST(Via, WithoutAClassAttributeEveryRegionIsAnObject) {
  const fs::path dir = folder_with_images();
  write_file_atomic((dir / "project.json").string(), kProject);
  const auto r = read_via_json((dir / "project.json").string());
  ASSERT_EQ(r.dataset.categories.size(), 1u);
  EXPECT_EQ(r.dataset.categories[0].name, "object");
}

TEST(Via, BadInputIsOneLineNamingFileAndRegion) {
  const fs::path dir = folder_with_images();
  write_file_atomic((dir / "project.json").string(), kProject);
  const std::string no_attribute = test::error_of([&] {
    read_via_json((dir / "project.json").string(), {"species", ""});
  });
  EXPECT_NE(no_attribute.find("project.json: image \"a.png1234\": region 0: no region attribute "
                              "\"species\""),
            std::string::npos)
      << no_attribute;
  const std::string missing_image = test::error_of([&] {
    read_via_json((dir / "project.json").string(), {"type", "/nonexistent"});
  });
  EXPECT_NE(missing_image.find("image \"a.png\" not found"), std::string::npos) << missing_image;
  std::string outside = kCsv;
  const std::string cx = "\"\"cx\"\":3";
  outside.replace(outside.find(cx), cx.size(), "\"\"cx\"\":99");
  write_file_atomic((dir / "out.csv").string(), outside);
  const std::string e = test::error_of([&] {
    read_via_csv((dir / "out.csv").string(), {"type", ""});
  });
  EXPECT_NE(e.find("out.csv: line 2: point (99, 4) lies outside image \"a.png\" (32x20)"),
            std::string::npos)
      << e;
  EXPECT_EQ(test::count_lines(e + "\n"), 1);
  write_file_atomic((dir / "header.csv").string(), "filename,x\n");
  EXPECT_NE(test::error_of([&] {
              read_via_csv((dir / "header.csv").string());
            }).find("header.csv: header lacks the column \"region_shape_attributes\""),
            std::string::npos);
}

}  // namespace
}  // namespace wisenet
