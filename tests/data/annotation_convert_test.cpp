// Round trips between annotation formats: every point survives; what cannot be kept is counted.
#include "wisenet/data/annotation_convert.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/cvat_xml.h"
#include "wisenet/data/labelme_json.h"
#include "wisenet/data/points_csv.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<int64_t, Point>> points_of(const CocoDataset& d) {
  std::vector<std::pair<int64_t, Point>> out;
  for (const auto& a : d.annotations) {
    if (a.instance.point) out.emplace_back(a.image_id, *a.instance.point);
  }
  return out;
}

fs::path labelme_folder() {
  const fs::path dir = test::temp_dir("convert_labelme");
  write_file_atomic((dir / "a.json").string(), R"({"shapes": [
    {"label": "cell", "points": [[3.5, 4.5]], "group_id": null, "shape_type": "point"},
    {"label": "cell", "points": [[8, 8]], "group_id": 1, "shape_type": "point"},
    {"label": "cell", "points": [[5, 5], [12, 5], [12, 12], [5, 12]], "group_id": 1, "shape_type": "polygon"},
    {"label": "blob", "points": [[2, 12], [4, 13], [3, 15]], "group_id": null, "shape_type": "polygon"},
    {"label": "blob", "points": [[1, 1], [2, 2]], "group_id": null, "shape_type": "line"}],
    "imagePath": "a.png", "imageData": null, "imageHeight": 16, "imageWidth": 16})");
  write_file_atomic((dir / "b.json").string(), R"({"shapes": [
    {"label": "blob", "points": [[0, 15]], "group_id": null, "shape_type": "point"}],
    "imagePath": "b.png", "imageData": null, "imageHeight": 16, "imageWidth": 20})");
  cv::imwrite((dir / "a.png").string(), cv::Mat(16, 16, CV_8UC3, cv::Scalar(0)));
  cv::imwrite((dir / "b.png").string(), cv::Mat(16, 20, CV_8UC3, cv::Scalar(0)));
  return dir;
}

TEST(Convert, LabelMeToCocoToCsvAndBackKeepsEveryPoint) {
  const fs::path dir = labelme_folder();
  const ForeignAnnotations labelme = read_labelme(dir.string());
  ASSERT_EQ(points_of(labelme.dataset).size(), 3u);

  ConvertOptions to_coco{"labelme", "coco", "", "", PointRule::kNone};
  const ConvertReport first =
      convert_annotations(dir.string(), (dir / "all.json").string(), to_coco);
  EXPECT_EQ(first.summary(), "2 images, 3 points, 2 masks written; dropped: 1 line (input)");
  const CocoDataset coco = read_coco((dir / "all.json").string());
  EXPECT_EQ(points_of(coco), points_of(labelme.dataset));
  EXPECT_EQ(coco.annotations.size(), 4u);

  ConvertOptions to_csv{"coco", "csv", "", "", PointRule::kNone};
  const ConvertReport second =
      convert_annotations((dir / "all.json").string(), (dir / "points.csv").string(), to_csv);
  EXPECT_EQ(second.summary(),
            "2 images, 3 points, 0 masks written; dropped: 1 annotation without a point, "
            "2 mask (csv holds points)");

  ConvertOptions back{"csv", "coco", "", "", PointRule::kNone};
  convert_annotations((dir / "points.csv").string(), (dir / "back.json").string(), back);
  const CocoDataset again = read_coco((dir / "back.json").string());
  EXPECT_EQ(points_of(again), points_of(labelme.dataset));
  EXPECT_EQ(again.categories.size(), 2u);
}

TEST(Convert, CenterRuleGivesMasksTheirPoints) {
  const fs::path dir = labelme_folder();
  ConvertOptions options{"labelme", "csv", "", "", PointRule::kCenter};
  const ConvertReport r = convert_annotations(dir.string(), (dir / "p.csv").string(), options);
  EXPECT_EQ(r.points_written, 4);
  EXPECT_EQ(r.dropped_on_write.count("annotation without a point"), 0u);
}

TEST(Convert, CvatToCocoKeepsEveryPoint) {
  const fs::path dir = test::temp_dir("convert_cvat");
  write_file_atomic((dir / "ann.xml").string(), R"(<annotations><version>1.1</version>
    <image id="0" name="a.png" width="30" height="20">
      <points label="cell" points="1,1;2,3;29.5,19.5"/>
      <points label="dead" points="4,4"/>
      <polygon label="cell" points="10,10;20,10;20,18"/>
      <polyline label="cell" points="0,0;5,5"/>
    </image>
    <image id="1" name="b.png" width="5" height="5"><points label="cell" points="0,0"/></image>
  </annotations>)");
  const ForeignAnnotations cvat = read_cvat((dir / "ann.xml").string());
  ConvertOptions options{"cvat", "coco", "", "", PointRule::kNone};
  const ConvertReport r =
      convert_annotations((dir / "ann.xml").string(), (dir / "out.json").string(), options);
  EXPECT_EQ(r.summary(), "2 images, 5 points, 1 masks written; dropped: 1 polyline (input)");
  const CocoDataset coco = read_coco((dir / "out.json").string());
  EXPECT_EQ(points_of(coco), points_of(cvat.dataset));
  EXPECT_EQ(points_of(coco).size(), 5u);
  EXPECT_EQ(coco.category_name(2), "dead");
}

TEST(Convert, UnknownFormatsAndMissingImagesAreErrors) {
  const fs::path dir = test::temp_dir("convert_bad");
  ConvertOptions options{"gimp", "coco", "", "", PointRule::kNone};
  EXPECT_NE(test::error_of([&] {
              convert_annotations("x", "y", options);
            }).find("--from gimp: unknown format"),
            std::string::npos);
  write_file_atomic((dir / "p.csv").string(), "image,x,y,class\nz.png,1,1,cell\n");
  options = {"csv", "coco", "", "", PointRule::kNone};
  const std::string e = test::error_of(
      [&] { convert_annotations((dir / "p.csv").string(), (dir / "o.json").string(), options); });
  EXPECT_NE(e.find("p.csv: line 2: image \"z.png\" not found"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(dir / "o.json"));
}

}  // namespace
}  // namespace wisenet
