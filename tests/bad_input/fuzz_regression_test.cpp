// Every input the fuzzers (fuzz/, scripts/fuzz.sh) found crashing, kept as a regression test:
// each must now be a clean wisenet::Error. The same bytes are in fuzz/corpus/<target>/crash-*.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <string>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/core/rle.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/data/image_io.h"
#include "wisenet/serve/annotation_server.h"
#include "wisenet/serve/instance_json.h"
#include "wisenet/serve/safe_name.h"

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

// The annotation server's handlers in-process, as fuzz/serve_request_fuzz.cpp drives them: a
// tiny random two-class model, images a.png (24x20) and b.png (16x16).
class ServeHandlers : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("serve_handlers");
    std::filesystem::create_directories(dir_ / "images");
    for (const auto& [name, size] : {std::pair<std::string, cv::Size>{"a.png", {24, 20}},
                                     std::pair<std::string, cv::Size>{"b.png", {16, 16}}}) {
      cv::Mat image(size, CV_8UC3, cv::Scalar(20, 30, 40));
      cv::circle(image, {size.width / 3, size.height / 2}, 4, cv::Scalar(230, 200, 60), -1);
      save_png((dir_ / "images" / name).string(), image);
    }
    torch::manual_seed(1);
    WiseNetOptions options;
    options.num_classes = 2;
    options.embedding_dim = 4;
    TrainedModel model;
    model.model = WiseNet(options, /*load_backbone_weights=*/false);
    model.classes.category_ids = {1, 2};
    model.classes.names = {"cell", "debris"};
    serve::ServeOptions serve_options;
    serve_options.images_dir = (dir_ / "images").string();
    serve_options.annotations_path = (dir_ / "annotations.json").string();
    serve_options.web_dir = (dir_ / "web").string();
    server_ = std::make_unique<serve::AnnotationServer>(model, serve_options);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  serve::LocalResponse request(const std::string& method, const std::string& target,
                               const std::string& body = "") {
    return server_->handle_local(method, target, body);
  }
  // The saved annotations open again (the app can restart on them).
  void expect_annotations_read_back() {
    const auto path = dir_ / "annotations.json";
    if (!std::filesystem::exists(path)) return;
    EXPECT_EQ(error_of([&] { read_coco(path.string()); }), "(no error)");
  }
  std::filesystem::path dir_;
  std::unique_ptr<serve::AnnotationServer> server_;
};

// An image name with a byte that is not UTF-8 ("?image=b%FFr.png"): the 400 reply quoting the
// name threw nlohmann's type_error while being written (a 500 from the real server, an abort
// in-process). Now a 400 with the byte replaced; such names are not plain file names.
TEST_F(ServeHandlers, ANameThatIsNotUtf8IsA400) {
  const serve::LocalResponse r = request("GET", "/api/annotations?image=b%FFr.png");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not a plain file name"), std::string::npos) << r.body;
  EXPECT_FALSE(serve::is_plain_file_name("b\xffr.png"));
  EXPECT_FALSE(serve::is_plain_file_name("\xc0\xae.png"));      // overlong '.'
  EXPECT_FALSE(serve::is_plain_file_name("\xed\xa0\x80.png"));  // a surrogate
  EXPECT_TRUE(serve::is_plain_file_name("caf\xc3\xa9.png"));    // é
  EXPECT_TRUE(serve::is_plain_file_name("\xf0\x9f\x90\x88.png"));
  expect_annotations_read_back();
}

// A point outside the image, sent with its mask, was saved: the annotations file then failed
// to open again ("point (300, 4) lies outside image 1"), so the app could not restart on the
// user's work. Found by reading the handlers, confirmed with the fuzz target's read-back check.
TEST_F(ServeHandlers, APointOutsideItsImageIsA400AndNothingIsSaved) {
  const std::string mask = R"("mask": {"size": [20, 24], "counts": [45, 3, 17, 3, 412]})";
  const serve::LocalResponse r =
      request("POST", "/api/instances",
              R"({"image": "a.png", "category": 1, "point": [300, 4], )" + mask + "}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("point (300, 4) lies outside image 'a.png' (24x20)"), std::string::npos)
      << r.body;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "annotations.json"));
  EXPECT_EQ(request("POST", "/api/instances",
                    R"({"image": "a.png", "category": 1, "point": [23, 19], )" + mask + "}")
                .status,
            201);
  expect_annotations_read_back();
}

// Numbers the handlers converted with get<int>(): 3e40 is undefined behaviour (UBSan), and
// 4294967297 became category 1. An id of INT64_MAX overflowed the store's next id, and a path
// id too long for int64 made std::stoll throw (HTTP 500).
TEST_F(ServeHandlers, NumbersOutOfRangeAreA400) {
  const std::string mask = R"("mask": {"size": [20, 24], "counts": [45, 3, 17, 3, 412]})";
  for (const std::string fields :
       {R"("category": 1, "point": [3e40, 4])", R"("category": 4294967297, "point": [3, 4])",
        R"("category": 1, "point": [3, 4], "id": 9223372036854775807)",
        R"("category": 1, "point": [3, 4], "id": 2.5)"}) {
    const serve::LocalResponse r =
        request("POST", "/api/instances", R"({"image": "a.png", )" + fields + ", " + mask + "}");
    EXPECT_EQ(r.status, 400) << fields << ": " << r.body;
  }
  EXPECT_EQ(request("PUT", "/api/instances/99999999999999999999999", R"({"category": 1})").status,
            409);
  EXPECT_EQ(request("DELETE", "/api/instances/9223372036854775808").status, 409);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "annotations.json"));
}

TEST_F(ServeHandlers, TheUsualRequestsAnswer) {
  EXPECT_EQ(request("GET", "/api/info").status, 200);
  EXPECT_EQ(request("GET", "/api/annotations?image=a.png").status, 200);
  EXPECT_EQ(request("GET", "/api/image?name=b.png").content_type, "image/png");
  EXPECT_EQ(request("GET", "/api/nothing").status, 404);
  EXPECT_EQ(request("POST", "/api/masks", "not json").status, 400);
  const serve::LocalResponse added =
      request("POST", "/api/instances", R"({"image": "b.png", "category": 2, "point": [5, 8]})");
  EXPECT_EQ(added.status, 201) << added.body;
  expect_annotations_read_back();
}

}  // namespace
}  // namespace wisenet
