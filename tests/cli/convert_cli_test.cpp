// End-to-end: wisenet convert between LabelMe, CVAT, COCO and the points CSV.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/coco_json.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

TEST(ConvertCli, LabelMeToCocoToCsvReportsDropsAndKeepsPoints) {
  const fs::path dir = test::temp_dir("convert_cli");
  fs::create_directories(dir / "labelme");
  write_file_atomic((dir / "labelme" / "a.json").string(), R"({"shapes": [
    {"label": "cell", "points": [[3, 4]], "group_id": null, "shape_type": "point"},
    {"label": "cell", "points": [[9, 1]], "group_id": null, "shape_type": "point"},
    {"label": "cell", "points": [[5, 5], [9, 5], [9, 9]], "group_id": null, "shape_type": "polygon"},
    {"label": "cell", "points": [[0, 0], [2, 2]], "group_id": null, "shape_type": "rectangle"}],
    "imagePath": "a.png", "imageData": null, "imageHeight": 12, "imageWidth": 10})");
  const auto to_coco = test::run_cli("convert --from labelme --to coco " +
                                     (dir / "labelme").string() + " " + (dir / "a.json").string());
  ASSERT_EQ(to_coco.exit_code, 0) << to_coco.out << to_coco.err;
  EXPECT_NE(to_coco.out.find("1 images, 2 points, 1 masks written; dropped: 1 rectangle (input)"),
            std::string::npos)
      << to_coco.out;
  EXPECT_EQ(read_coco((dir / "a.json").string()).annotations.size(), 3u);

  const auto to_csv = test::run_cli("convert --from coco --to csv " + (dir / "a.json").string() +
                                    " " + (dir / "a.csv").string());
  ASSERT_EQ(to_csv.exit_code, 0) << to_csv.out << to_csv.err;
  EXPECT_NE(to_csv.out.find("dropped: 1 annotation without a point, 1 mask (csv holds points)"),
            std::string::npos)
      << to_csv.out;
  EXPECT_EQ(read_file((dir / "a.csv").string()),
            "image,x,y,class\na.png,3,4,cell\na.png,9,1,cell\n");
}

TEST(ConvertCli, BadInputIsOneLineAndNoOutput) {
  const fs::path dir = test::temp_dir("convert_cli_bad");
  write_file_atomic((dir / "ann.xml").string(),
                    R"(<annotations><image id="0" name="a.png" width="4" height="4">
                       <points label="c" points="1,9"/></image></annotations>)");
  const auto r = test::run_cli("convert --from cvat --to coco " + (dir / "ann.xml").string() + " " +
                               (dir / "out.json").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("ann.xml: image \"a.png\": points 0: point (1, 9) lies outside"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "out.json"));
}

}  // namespace
}  // namespace wisenet
