// The annotation app's HTTP API, called over loopback on a server started in-process.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "serve/serve_fixture.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/serve/instance_json.h"
#include "wisenet/serve/safe_name.h"

namespace wisenet {
namespace {

using nlohmann::json;

json body_of(const httplib::Result& r) { return json::parse(r->body); }

json click(httplib::Client& c, const std::string& image, int x, int y, int category) {
  const json req = {{"image", image}, {"category", category}, {"point", {x, y}}};
  const auto r = c.Post("/api/instances", req.dump(), "application/json");
  EXPECT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  return body_of(r);
}

class ServeApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    torch::set_num_threads(1);
    dir_ = new std::filesystem::path(test::make_annotation_project("serve_api"));
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override {
    std::filesystem::remove((*dir_ / "annotations.json"));
    server_ = std::make_unique<test::RunningServer>(*dir_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60, 0);
  }
  static std::filesystem::path* dir_;
  std::unique_ptr<test::RunningServer> server_;
  std::unique_ptr<httplib::Client> client_;
};
std::filesystem::path* ServeApi::dir_ = nullptr;

TEST(SafeName, RefusesTraversalAndAbsolutePaths) {
  EXPECT_TRUE(serve::is_plain_file_name("im0.png"));
  EXPECT_TRUE(serve::is_plain_file_name("a..b.png"));
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "../x.png", "/etc/passwd", "a/b.png", "..\\x",
                                std::string("a\0b", 3), "a\nb"}) {
    EXPECT_FALSE(serve::is_plain_file_name(bad)) << bad;
    EXPECT_THROW(serve::join_checked("/tmp", bad), Error);
  }
}

TEST_F(ServeApi, ListsImagesAndCategories) {
  const auto r = client_->Get("/api/info");
  ASSERT_TRUE(r);
  const json info = body_of(r);
  ASSERT_EQ(info["images"].size(), 3u);
  EXPECT_EQ(info["images"][0]["file_name"], "im0.png");
  EXPECT_EQ(info["images"][0]["width"], 128);
  ASSERT_EQ(info["categories"].size(), 2u);
  EXPECT_EQ(info["categories"][1]["name"], "debris");
  const auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("app.js"), std::string::npos);
  const auto png = client_->Get("/api/image?name=im1.png");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->body.substr(1, 3), "PNG");
}

TEST_F(ServeApi, ClickGivesMaskContainingItAndSavesIt) {
  const auto centre = test::disc_centres(0)[0];
  const json made = click(*client_, "im0.png", centre.x, centre.y, 2);
  const Rle mask = serve::mask_from_json(made["mask"], "reply");
  EXPECT_TRUE(mask.contains(centre.x, centre.y));
  EXPECT_EQ(made["category"], 2);
  // On disk at once, with its mask and point.
  const CocoDataset saved = read_coco((*dir_ / "annotations.json").string());
  ASSERT_EQ(saved.annotations.size(), 1u);
  EXPECT_EQ(saved.annotations[0].instance.mask, mask);
  ASSERT_TRUE(saved.annotations[0].instance.point.has_value());
  EXPECT_EQ(saved.annotations[0].instance.point->x, centre.x);
  // Masks without saving: one per point, each containing its point.
  const json req = {{"image", "im0.png"},
                    {"points", {{{"x", 5}, {"y", 6}, {"category", 1}}, {{"x", 88}, {"y", 90}, {"category", 1}}}}};
  const auto r = client_->Post("/api/masks", req.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json masks = body_of(r)["instances"];
  ASSERT_EQ(masks.size(), 2u);
  EXPECT_TRUE(serve::mask_from_json(masks[0]["mask"], "m").contains(5, 6));
  EXPECT_TRUE(serve::mask_from_json(masks[1]["mask"], "m").contains(88, 90));
  EXPECT_EQ(read_coco((*dir_ / "annotations.json").string()).annotations.size(), 1u);
}

TEST_F(ServeApi, FirstOpenStoresPredictionsOnce) {
  const auto first = client_->Get("/api/annotations?image=im1.png");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const json a = body_of(first)["instances"];
  const json b = body_of(client_->Get("/api/annotations?image=im1.png"))["instances"];
  EXPECT_EQ(a, b);  // cached: the same instances with the same ids
  for (const auto& in : a) EXPECT_GT(in["id"].get<int64_t>(), 0);
}

TEST_F(ServeApi, EditsPersistAcrossRestartAndTabsKeepEachOthersInstances) {
  httplib::Client tab2("127.0.0.1", server_->port());
  tab2.set_read_timeout(60, 0);
  const json a = click(*client_, "im2.png", 10, 10, 1);
  const json b = click(tab2, "im2.png", 100, 100, 1);
  // Tab 2 re-classes A (later write wins), tab 1 deletes B; tab 2 then edits the deleted B.
  auto r = tab2.Put("/api/instances/" + std::to_string(a["id"].get<int64_t>()),
                    R"({"category": 2})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = client_->Delete("/api/instances/" + std::to_string(b["id"].get<int64_t>()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = tab2.Put("/api/instances/" + std::to_string(b["id"].get<int64_t>()), R"({"category": 1})",
               "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(body_of(r)["error"].get<std::string>().find("no longer exists"), std::string::npos);
  // A brush edit: the mask replaced by a 3 x 3 square.
  cv::Mat square = cv::Mat::zeros(128, 128, CV_8U);
  square(cv::Rect(20, 30, 3, 3)) = 1;
  const Rle brushed = Rle::from_mask(square);
  json mask = {{"size", {128, 128}}, {"counts", brushed.counts()}};
  r = client_->Put("/api/instances/" + std::to_string(a["id"].get<int64_t>()),
                   json{{"mask", mask}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body_of(r)["area"], 9);

  // A new server on the same file shows the saved state.
  client_.reset();
  server_ = std::make_unique<test::RunningServer>(*dir_);
  httplib::Client again("127.0.0.1", server_->port());
  const json saved = body_of(again.Get("/api/annotations?image=im2.png"))["instances"];
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0]["id"], a["id"]);
  EXPECT_EQ(saved[0]["category"], 2);
  EXPECT_EQ(serve::mask_from_json(saved[0]["mask"], "m"), brushed);
}

TEST_F(ServeApi, ExportsCocoAndPointsCsv) {
  click(*client_, "im0.png", 40, 44, 1);
  const auto coco = client_->Get("/api/export/coco");
  ASSERT_TRUE(coco);
  EXPECT_NE(coco->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  const CocoDataset parsed = parse_coco(coco->body, "export");
  ASSERT_EQ(parsed.annotations.size(), 1u);
  EXPECT_EQ(parsed.images.size(), 3u);
  const auto csv = client_->Get("/api/export/points.csv");
  ASSERT_TRUE(csv);
  EXPECT_NE(csv->body.find("im0.png,40,44,cell"), std::string::npos) << csv->body;
}

TEST_F(ServeApi, RefusesBadRequestsWithAMessageAndKeepsServing) {
  const auto expect_status = [](const httplib::Result& r, int status, const std::string& word) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_NE(json::parse(r->body)["error"].get<std::string>().find(word), std::string::npos)
        << r->body;
  };
  expect_status(client_->Get("/api/image?name=..%2Fmodel.ckpt"), 400, "plain file name");
  expect_status(client_->Get("/api/image?name=%2Fetc%2Fpasswd"), 400, "plain file name");
  expect_status(client_->Get("/api/annotations?image=../../etc/passwd"), 400, "plain file name");
  expect_status(client_->Get("/api/image?name=nope.png"), 404, "nope.png");
  expect_status(client_->Post("/api/instances", R"({"image": "../im0.png", "category": 1, "point": [1, 1]})",
                              "application/json"), 400, "plain file name");
  expect_status(client_->Post("/api/instances", "{not json", "application/json"), 400, "JSON");
  expect_status(client_->Post("/api/instances", "[1, 2]", "application/json"), 400, "object");
  expect_status(client_->Post("/api/instances", R"({"image": "im0.png", "category": "x", "point": [1, 1]})",
                              "application/json"), 400, "category");
  expect_status(client_->Post("/api/instances", R"({"image": "im0.png", "category": 1, "point": [500, 1]})",
                              "application/json"), 400, "outside");
  expect_status(client_->Post("/api/instances", R"({"image": "im0.png", "category": 9, "point": [1, 1]})",
                              "application/json"), 400, "category 9");
  expect_status(client_->Put("/api/instances/1", R"({"mask": {"size": [2, 2], "counts": [1]}})",
                             "application/json"), 400, "mask");
  expect_status(client_->Post("/api/masks", std::string(2 << 20, ' '), "application/json"), 413,
                "size limit");
  // Still serving.
  const auto r = client_->Get("/api/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace wisenet
