#include "wisenet/data/annotation_rescale.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/annotation_convert.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/image_source.h"
#include "wisenet/data/transforms.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// A 20x10 (w x h) image's object: the rectangle x 2..5, y 3..4, clicked at (3, 4).
Instance rectangle_instance() {
  cv::Mat m(10, 20, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(2, 3, 4, 2)).setTo(1);
  Instance inst;
  inst.id = 5;
  inst.category = 1;
  inst.mask = Rle::from_mask(m);
  inst.bbox = inst.mask.bbox();
  inst.area = static_cast<double>(inst.mask.area());
  inst.point = Point{3, 4, 1};
  return inst;
}

TEST(RescalePoint, MapsThePixelHoldingTheScaledCentre) {
  const cv::Size big(64, 64), small(32, 32);
  EXPECT_EQ(rescale_point({20, 21, 1}, big, small), (Point{10, 10, 1}));
  EXPECT_EQ(rescale_point({63, 0, 2}, big, small), (Point{31, 0, 2}));
  EXPECT_EQ(rescale_point({10, 31, 1}, small, big), (Point{21, 63, 1}));
  // Non-uniform: x by 3, y by 1/4.
  EXPECT_EQ(rescale_point({1, 7, 1}, cv::Size(10, 8), cv::Size(30, 2)), (Point{4, 1, 1}));
  // Never outside the target, even for a point on the last pixel and a shrink to 1 pixel.
  EXPECT_EQ(rescale_point({9, 7, 1}, cv::Size(10, 8), cv::Size(1, 1)), (Point{0, 0, 1}));
  EXPECT_NE(test::error_of([] {
              rescale_point({0, 0, 1}, cv::Size(0, 8), cv::Size(4, 4));
            }),
            "(no error)");
}

TEST(RescaleInstance, DoublingScalesMaskBboxAreaAndPointAndHalvingUndoesIt) {
  const Instance inst = rectangle_instance();
  const Instance doubled = rescale_instance(inst, cv::Size(20, 10), cv::Size(40, 20));
  EXPECT_EQ(doubled.mask.width(), 40);
  EXPECT_EQ(doubled.mask.height(), 20);
  cv::Mat expected(20, 40, CV_8UC1, cv::Scalar(0));
  expected(cv::Rect(4, 6, 8, 4)).setTo(1);
  EXPECT_EQ(doubled.mask, Rle::from_mask(expected));
  EXPECT_EQ(doubled.bbox, (std::array<double, 4>{4, 6, 8, 4}));
  EXPECT_DOUBLE_EQ(doubled.area, 32.0);
  EXPECT_EQ(*doubled.point, (Point{7, 9, 1}));
  EXPECT_TRUE(doubled.mask.contains(doubled.point->x, doubled.point->y));
  EXPECT_EQ(doubled.id, 5);
  EXPECT_EQ(doubled.category, 1);
  // Nearest neighbour with aligned pixel centres: halving gives the original mask back.
  const Instance back = rescale_instance(doubled, cv::Size(40, 20), cv::Size(20, 10));
  EXPECT_EQ(back.mask, inst.mask);
  EXPECT_EQ(back.bbox, inst.bbox);
  EXPECT_DOUBLE_EQ(back.area, inst.area);
  EXPECT_EQ(*back.point, *inst.point);
}

TEST(RescaleInstance, KeepsTheDatasetsOwnBboxAndAreaScaledNotRecomputed) {
  Instance inst = rectangle_instance();
  inst.bbox = {1.5, 2.5, 6, 3};  // e.g. a polygon's box, not the mask's
  inst.area = 17.25;
  const Instance scaled = rescale_instance(inst, cv::Size(20, 10), cv::Size(30, 5));
  EXPECT_EQ(scaled.bbox, (std::array<double, 4>{2.25, 1.25, 9, 1.5}));
  EXPECT_DOUBLE_EQ(scaled.area, 17.25 * 1.5 * 0.5);
}

TEST(RescaleInstance, AnyUpscaleKeepsThePointOnItsMask) {
  const Instance inst = rectangle_instance();
  for (int w = 20; w <= 61; w += 7) {
    for (int h = 10; h <= 37; h += 9) {
      const Instance s = rescale_instance(inst, cv::Size(20, 10), cv::Size(w, h));
      EXPECT_TRUE(s.mask.contains(s.point->x, s.point->y)) << w << "x" << h;
    }
  }
}

TEST(RescaleInstance, PointsOnlyAnnotationsAndVanishingMasksKeepTheirPoint) {
  Instance points_only;
  points_only.point = Point{63, 63, 2};
  const Instance p = rescale_instance(points_only, cv::Size(64, 64), cv::Size(48, 48));
  EXPECT_EQ(p.mask.height(), 0);
  EXPECT_EQ(*p.point, (Point{47, 47, 2}));
  // The 4x2 rectangle shrunk to a 2x1 image: the mask may vanish, the annotation stays.
  const Instance tiny = rescale_instance(rectangle_instance(), cv::Size(20, 10), cv::Size(2, 1));
  EXPECT_EQ(tiny.mask.width(), 2);
  EXPECT_TRUE(tiny.point.has_value());
}

TEST(RescaleInstance, AMaskOfAnotherSizeThanTheImageIsAnError) {
  const std::string error = test::error_of(
      [] { rescale_instance(rectangle_instance(), cv::Size(30, 10), cv::Size(60, 20)); });
  EXPECT_NE(error.find("mask of 20x10 on an image of 30x10"), std::string::npos) << error;
}

CocoDataset two_images() {
  CocoDataset d;
  d.source = "data.json";
  d.images = {{1, "a.png", 20, 10}, {2, "b.png", 8, 8}};
  d.categories = {{1, "cell"}};
  Annotation a;
  a.image_id = 1;
  a.instance = rectangle_instance();
  d.annotations.push_back(a);
  Annotation b;
  b.image_id = 2;
  b.has_mask = false;
  b.instance.category = 1;
  b.instance.point = Point{7, 7, 1};
  d.annotations.push_back(b);
  return d;
}

TEST(RescaleAnnotations, ScalesOneImagesAnnotationsAndItsSizeOnly) {
  CocoDataset d = two_images();
  rescale_annotations(d, 0, cv::Size(40, 20));
  EXPECT_EQ(d.images[0].width, 40);
  EXPECT_EQ(d.images[0].height, 20);
  EXPECT_EQ(d.annotations[0].instance.mask.width(), 40);
  EXPECT_EQ(*d.annotations[0].instance.point, (Point{7, 9, 1}));
  EXPECT_EQ(d.images[1].width, 8);
  EXPECT_EQ(*d.annotations[1].instance.point, (Point{7, 7, 1}));
}

// Writes an image of the given size; the format follows the extension.
void write_image(const fs::path& path, int width, int height, int type = CV_8UC3,
                 const std::vector<int>& params = {}) {
  cv::Mat m(height, width, type, cv::Scalar::all(90));
  cv::circle(m, {width / 2, height / 2}, std::min(width, height) / 3, cv::Scalar::all(200), -1);
  ASSERT_TRUE(cv::imwrite(path.string(), m, params)) << path;
}

TEST(MatchImageSizes, ADifferenceIsAnErrorNamingTheImageBothSizesAndTheOption) {
  const fs::path dir = test::temp_dir("match_sizes");
  CocoDataset d = two_images();
  d.source = (dir / "data.json").string();
  write_image(dir / "a.png", 40, 20);
  write_image(dir / "b.png", 8, 8);
  const std::string error =
      test::error_of([&] { match_dataset_image_sizes(d, "", SizeMismatch::kError); });
  EXPECT_EQ(error, (dir / "a.png").string() + ": image is 40x20 but " + d.source +
                       " gives 20x10 (--resize-annotations scales the annotations to the image)");
  EXPECT_EQ(d.images[0].width, 20);  // untouched
  fs::remove_all(dir);
}

TEST(MatchImageSizes, RescaleMakesTheDatasetTheImagesSizesAndCountsThem) {
  const fs::path dir = test::temp_dir("match_sizes_rescale");
  CocoDataset d = two_images();
  d.source = (dir / "data.json").string();
  write_image(dir / "a.png", 40, 20);
  write_image(dir / "b.png", 8, 8);
  EXPECT_EQ(match_dataset_image_sizes(d, "", SizeMismatch::kRescale), 1u);
  EXPECT_EQ(d.images[0].width, 40);
  EXPECT_EQ(d.images[0].height, 20);
  EXPECT_EQ(d.annotations[0].instance.bbox, (std::array<double, 4>{4, 6, 8, 4}));
  EXPECT_EQ(*d.annotations[1].instance.point, (Point{7, 7, 1}));
  // Matching again finds nothing to do.
  EXPECT_EQ(match_dataset_image_sizes(d, "", SizeMismatch::kError), 0u);
  fs::remove_all(dir);
}

TEST(MatchImageSizes, OnlyTheImagesGivenPathsAreRead) {
  const fs::path dir = test::temp_dir("match_sizes_prefix");
  CocoDataset d = two_images();
  write_image(dir / "a.png", 20, 10);  // b.png does not exist and is not read
  EXPECT_EQ(match_image_sizes(d, {(dir / "a.png").string()}, SizeMismatch::kError), 0u);
  EXPECT_NE(test::error_of([&] {
              match_image_sizes(d, {"1", "2", "3"}, SizeMismatch::kError);
            }),
            "(no error)");
  fs::remove_all(dir);
}

TEST(MatchImageSizes, OpenImagesChecksAJsonsSizes) {
  const fs::path dir = test::temp_dir("open_images_sizes");
  write_image(dir / "a.png", 40, 20);
  write_image(dir / "b.png", 8, 8);
  CocoDataset d = two_images();
  write_coco(d, (dir / "data.json").string());
  const std::string json = (dir / "data.json").string();
  EXPECT_NE(test::error_of([&] { open_images(json, ""); }).find("image is 40x20"),
            std::string::npos);
  const ImageSource source = open_images(json, "", {}, SizeMismatch::kRescale);
  EXPECT_EQ(source.dataset.images[0].width, 40);
  EXPECT_EQ(source.dataset.annotations[0].instance.mask.width(), 40);
  fs::remove_all(dir);
}

TEST(ReadImageSize, EqualsTheDecodedSizeForEveryFormat) {
  const fs::path dir = test::temp_dir("image_size");
  struct Case {
    const char* name;
    int type;
    std::vector<int> params;
  };
  const Case cases[] = {
      {"rgb.png", CV_8UC3, {}},   {"gray16.png", CV_16UC1, {}},
      {"alpha.png", CV_8UC4, {}}, {"rgb.jpg", CV_8UC3, {}},
      {"gray.jpg", CV_8UC1, {}},  {"progressive.jpg", CV_8UC3, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
      {"rgb.bmp", CV_8UC3, {}},   {"rgb.tif", CV_8UC3, {}},
  };
  for (const auto& c : cases) {
    for (const cv::Size size : {cv::Size(37, 23), cv::Size(1, 300), cv::Size(640, 2)}) {
      const fs::path path = dir / c.name;
      write_image(path, size.width, size.height, c.type, c.params);
      EXPECT_EQ(read_image_size(path.string()), size) << c.name;
      EXPECT_EQ(load_image(path.string()).size(), size) << c.name;
    }
  }
  fs::remove_all(dir);
}

TEST(ReadImageSize, BrokenAndOversizedFilesAreTheSameErrorsAsLoading) {
  const fs::path dir = test::temp_dir("image_size_bad");
  write_image(dir / "big.jpg", 300, 200);
  EXPECT_NE(test::error_of([&] {
              read_image_size((dir / "big.jpg").string(), 1000);
            }).find("image too large: 300x200"),
            std::string::npos);
  write_image(dir / "a.png", 30, 20);
  const std::string bytes = read_file((dir / "a.png").string());
  write_file_atomic((dir / "cut.png").string(), bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(test::error_of([&] { read_image_size((dir / "cut.png").string()); }),
            test::error_of([&] { load_image((dir / "cut.png").string()); }));
  write_file_atomic((dir / "text.png").string(), "not an image");
  EXPECT_NE(test::error_of([&] {
              read_image_size((dir / "text.png").string());
            }).find("not a readable image"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { read_image_size((dir / "none.png").string()); }), "(no error)");
  fs::remove_all(dir);
}

TEST(RescaledSize, IsTheSizeRescaleGives) {
  Sample s;
  for (const cv::Size size : {cv::Size(33, 17), cv::Size(1, 1), cv::Size(64, 40)}) {
    s.image = cv::Mat(size, CV_8UC3, cv::Scalar::all(0));
    for (const double f : {0.3, 0.71, 1.0, 1.49}) {
      EXPECT_EQ(rescaled_size(size, f), rescale(s, f).image.size()) << size << " x" << f;
    }
  }
}

}  // namespace
}  // namespace wisenet

namespace wisenet {
namespace {

TEST(ConvertResizeAnnotations, WritesTheAnnotationsAtTheImagesSizes) {
  const fs::path dir = test::temp_dir("convert_resize");
  CocoDataset d = two_images();
  d.source = (dir / "in.json").string();
  write_coco(d, (dir / "in.json").string());
  fs::create_directories(dir / "images");
  write_image(dir / "images" / "a.png", 40, 20);
  write_image(dir / "images" / "b.png", 8, 8);
  ConvertOptions options;
  options.from = "coco";
  options.to = "coco";
  options.image_dir = (dir / "images").string();
  options.resize_annotations = true;
  convert_annotations((dir / "in.json").string(), (dir / "out.json").string(), options);
  const CocoDataset out = read_coco((dir / "out.json").string());
  EXPECT_EQ(out.images[0].width, 40);
  EXPECT_EQ(out.annotations[0].instance.mask.width(), 40);
  EXPECT_EQ(*out.annotations[0].instance.point, (Point{7, 9, 1}));
  // Without the option the sizes are the input's (convert does not need the images).
  options.resize_annotations = false;
  convert_annotations((dir / "in.json").string(), (dir / "same.json").string(), options);
  EXPECT_EQ(read_coco((dir / "same.json").string()).images[0].width, 20);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
