#include "wisenet/data/coco_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/points_csv.h"

namespace wisenet {
namespace {

CocoDataset tiny_dataset() {
  CocoDataset d;
  d.images = {{1, "a.png", 20, 10}, {2, "b.png", 8, 8}};
  d.categories = {{1, "cell"}, {3, "debris"}};
  cv::Mat m(10, 20, CV_8UC1, cv::Scalar(0));
  cv::circle(m, {6, 5}, 3, cv::Scalar(1), -1);
  Annotation a;
  a.image_id = 1;
  a.instance.id = 10;
  a.instance.category = 1;
  a.instance.mask = Rle::from_mask(m);
  a.instance.bbox = a.instance.mask.bbox();
  a.instance.area = double(a.instance.mask.area());
  a.instance.point = Point{6, 5, 1};
  d.annotations.push_back(a);
  Annotation p;  // points-only
  p.image_id = 2;
  p.instance.id = 11;
  p.instance.category = 3;
  p.has_mask = false;
  p.instance.point = Point{7, 0, 3};
  d.annotations.push_back(p);
  return d;
}

// Parses `json` and expects a wisenet::Error whose message contains every fragment.
void expect_error(const std::string& json, const std::vector<std::string>& fragments) {
  try {
    parse_coco(json, "bad.json");
    FAIL() << "no error for " << json;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.rfind("bad.json: ", 0), 0u) << what;
    for (const auto& f : fragments) EXPECT_NE(what.find(f), std::string::npos) << what;
  }
}

TEST(CocoJson, WriteThenReadRoundTrips) {
  const CocoDataset d = tiny_dataset();
  const auto dir = test::temp_dir("coco");
  const std::string path = (dir / "d.json").string();
  write_coco(d, path);
  const CocoDataset back = read_coco(path);
  ASSERT_EQ(back.images.size(), 2u);
  EXPECT_EQ(back.images[1].file_name, "b.png");
  ASSERT_EQ(back.categories.size(), 2u);
  EXPECT_EQ(back.category_name(3), "debris");
  ASSERT_EQ(back.annotations.size(), 2u);
  EXPECT_EQ(back.annotations[0].instance.mask, d.annotations[0].instance.mask);
  EXPECT_EQ(back.annotations[0].instance.bbox, d.annotations[0].instance.bbox);
  EXPECT_EQ(back.annotations[0].instance.point, d.annotations[0].instance.point);
  EXPECT_FALSE(back.annotations[1].has_mask);
  EXPECT_EQ(*back.annotations[1].instance.point, (Point{7, 0, 3}));
  // Writing what was read gives the same bytes.
  EXPECT_EQ(coco_to_json_text(back), coco_to_json_text(d));
}

TEST(CocoJson, ReadsUncompressedRleAndPolygons) {
  const std::string json = R"({"images":[{"id":1,"file_name":"x.png","width":4,"height":3}],
    "categories":[{"id":1,"name":"a"}],
    "annotations":[{"id":1,"image_id":1,"category_id":1,"iscrowd":1,
                    "segmentation":{"size":[3,4],"counts":[1,2,9]}},
                   {"id":2,"image_id":1,"category_id":1,
                    "segmentation":[[0,0,3,0,3,2,0,2]]}]})";
  const CocoDataset d = parse_coco(json, "ok.json");
  EXPECT_TRUE(d.annotations[0].instance.iscrowd);
  EXPECT_EQ(d.annotations[0].instance.mask.area(), 2);
  EXPECT_TRUE(d.annotations[0].instance.mask.contains(0, 1));
  EXPECT_GT(d.annotations[1].instance.mask.area(), 0);
  EXPECT_EQ(d.annotations[1].instance.area, double(d.annotations[1].instance.mask.area()));
}

TEST(CocoJson, BadInputNamesTheFileAndTheItem) {
  const std::string head =
      R"({"images":[{"id":1,"file_name":"x.png","width":4,"height":3}],
          "categories":[{"id":1,"name":"a"}],"annotations":[)";
  expect_error("{\"images\": [", {"malformed JSON"});
  expect_error("[]", {"top level"});
  expect_error(R"({"images":{}, "categories":[]})", {"\"images\" must be a list"});
  expect_error(head + R"({"id":5,"image_id":9,"category_id":1,"point":[0,0]}]})",
               {"annotation 5", "unknown image_id 9"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":4,"point":[0,0]}]})",
               {"annotation 5", "unknown category_id 4"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1,"point":[4,1]}]})",
               {"annotation 5", "outside image 1"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1,
               "segmentation":{"size":[3,4],"counts":[1,2]}}]})",
               {"annotation 5", "sum to 3", "12"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1,
               "segmentation":{"size":[3,4],"counts":[1,-2,13]}}]})",
               {"annotation 5", "invalid count"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1,
               "segmentation":{"size":[3,4],"counts":["a"]}}]})",
               {"annotation 5", "must be an integer"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1,
               "segmentation":{"size":[4,4],"counts":"0"}}]})",
               {"annotation 5", "differs from its image"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1,"segmentation":[[0,0,1,1]]}]})",
               {"annotation 5", "at least 3 points"});
  expect_error(head + R"({"id":5,"image_id":1,"category_id":1}]})",
               {"annotation 5", "neither a segmentation nor a point"});
  expect_error(R"({"images":[{"id":1,"file_name":"x.png","width":4,"height":3},
                             {"id":1,"file_name":"y.png","width":4,"height":3}],
                   "categories":[]})",
               {"duplicate image id 1"});
  expect_error(R"({"images":[{"id":1,"file_name":"x.png","width":0,"height":3}],
                   "categories":[]})",
               {"image 1", "invalid size"});
  EXPECT_THROW(read_coco("/nonexistent/x.json"), Error);
}

TEST(CocoJson, DerivesPointsByRule) {
  cv::Mat m(9, 9, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(1, 1, 5, 5)).setTo(1);
  const Rle r = Rle::from_mask(m);
  EXPECT_EQ(point_for_mask(r, 2, PointRule::kCenter, 0), (Point{3, 3, 2}));
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Point p = point_for_mask(r, 2, PointRule::kRandom, seed);
    EXPECT_TRUE(r.contains(p.x, p.y));
  }
  EXPECT_EQ(point_for_mask(r, 2, PointRule::kRandom, 5), point_for_mask(r, 2, PointRule::kRandom, 5));
}

// The shared nuclei data gives each annotation the pixel deepest inside its mask; our
// `center` rule must reproduce every one of them.
TEST(CocoJson, CenterRuleReproducesTheSharedNucleiPoints) {
  const auto path = test::data_dir() / "dsb2018" / "val.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no shared data at " << path;
  const CocoDataset d = read_coco(path.string());
  int checked = 0, matched = 0;
  for (const auto& a : d.annotations) {
    if (checked >= 1500) break;
    ASSERT_TRUE(a.instance.point.has_value());
    const Point p = point_for_mask(a.instance.mask, a.instance.category, PointRule::kCenter, 0);
    ++checked;
    if (p == *a.instance.point) ++matched;
  }
  EXPECT_EQ(matched, checked);
}

TEST(PointsCsv, ReadsNamesAndIdsAndRejectsBadLines) {
  CocoDataset d = tiny_dataset();
  d.annotations.clear();
  parse_points_csv("x,image,class,y,extra\n3,a.png,cell,4,z\n\"1\",2,3,7,\n", "p.csv", d);
  ASSERT_EQ(d.annotations.size(), 2u);
  EXPECT_EQ(*d.annotations[0].instance.point, (Point{3, 4, 1}));
  EXPECT_EQ(d.annotations[1].image_id, 2);
  EXPECT_EQ(*d.annotations[1].instance.point, (Point{1, 7, 3}));
  const auto bad = [&](const std::string& text, const std::string& fragment) {
    CocoDataset copy = tiny_dataset();
    try {
      parse_points_csv(text, "p.csv", copy);
      FAIL() << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  bad("image,x,y\na.png,1,1\n", "lacks the column \"class\"");
  bad("image,x,y,class\nzz.png,1,1,cell\n", "line 2: unknown image");
  bad("image,x,y,class\na.png,1,1,dog\n", "line 2: unknown class");
  bad("image,x,y,class\na.png,20,1,cell\n", "line 2: point (20, 1) lies outside");
  bad("image,x,y,class\na.png,one,1,cell\n", "line 2: x \"one\" is not a number");
  bad("", "empty CSV");
}

TEST(PointsCsv, WriteThenReadKeepsEveryPoint) {
  CocoDataset d = tiny_dataset();
  const auto dir = test::temp_dir("csv");
  write_points_csv(d, (dir / "p.csv").string());
  CocoDataset back = tiny_dataset();
  back.annotations.clear();
  read_points_csv((dir / "p.csv").string(), back);
  ASSERT_EQ(back.annotations.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.annotations[i].image_id, d.annotations[i].image_id);
    EXPECT_EQ(*back.annotations[i].instance.point, *d.annotations[i].instance.point);
  }
}

TEST(CocoResults, RoundTripAndValidation) {
  const CocoDataset gt = tiny_dataset();
  Detection det;
  det.image_id = 1;
  det.instance.category = 3;
  det.instance.score = 0.25;
  det.instance.mask = gt.annotations[0].instance.mask;
  const auto dir = test::temp_dir("res");
  write_results({det}, (dir / "r.json").string());
  const auto back = read_results((dir / "r.json").string(), gt);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].instance.mask, det.instance.mask);
  EXPECT_DOUBLE_EQ(back[0].instance.score, 0.25);
  EXPECT_EQ(back[0].instance.bbox, det.instance.mask.bbox());
  EXPECT_EQ(back[0].instance.area, double(det.instance.mask.area()));
  EXPECT_THROW(parse_results(R"([{"image_id":7,"category_id":1,"score":1,
      "segmentation":{"size":[10,20],"counts":"0"}}])", "r.json", gt), Error);
  EXPECT_THROW(parse_results(R"([{"image_id":1,"category_id":2,"score":1,
      "segmentation":{"size":[10,20],"counts":"0"}}])", "r.json", gt), Error);
  EXPECT_THROW(parse_results(R"({"image_id":1})", "r.json", gt), Error);
}

TEST(Dataset, ResolvesImagePathsAndChecksSizes) {
  const auto dir = test::temp_dir("paths");
  std::filesystem::create_directories(dir / "images");
  save_png((dir / "images" / "a.png").string(), cv::Mat(10, 20, CV_8UC3, cv::Scalar(1, 2, 3)));
  save_png((dir / "b.png").string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(9)));
  CocoDataset d = tiny_dataset();
  write_coco(d, (dir / "d.json").string());
  d = read_coco((dir / "d.json").string());
  EXPECT_EQ(resolve_image_path(d, d.images[0], ""), (dir / "images" / "a.png").string());
  EXPECT_EQ(resolve_image_path(d, d.images[1], ""), (dir / "b.png").string());
  EXPECT_EQ(resolve_image_path(d, d.images[1], "/else"), "/else/b.png");
  const Sample s = load_sample(d, 0, "");
  EXPECT_EQ(s.image.type(), CV_8UC3);
  EXPECT_EQ(s.image.at<cv::Vec3b>(0, 0), cv::Vec3b(1, 2, 3));
  ASSERT_EQ(s.points.size(), 1u);
  ASSERT_EQ(s.instances.size(), 1u);
  const Sample gray = load_sample(d, 1, "");
  EXPECT_EQ(gray.image.type(), CV_8UC3);
  // Wrong size on disk.
  save_png((dir / "b.png").string(), cv::Mat(9, 8, CV_8UC1, cv::Scalar(9)));
  EXPECT_THROW(load_sample(d, 1, ""), Error);
  // Not an image.
  write_file_atomic((dir / "b.png").string(), "not a png");
  EXPECT_THROW(load_sample(d, 1, ""), Error);
  std::filesystem::remove(dir / "b.png");
  EXPECT_THROW(resolve_image_path(d, d.images[1], ""), Error);
}

}  // namespace
}  // namespace wisenet
