// The annotation page in a real browser: headless Chromium driven by playwright-core
// (tests/web/e2e.mjs) against a server started here. Skipped only when Chromium is absent;
// playwright-core missing is a failure (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "serve/serve_fixture.h"
#include "wisenet/data/coco_json.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

TEST(AnnotationPage, ClickClassReloadExportInChromium) {
  const char* chromium = std::getenv("CHROMIUM");
  const fs::path browser = chromium ? chromium : "/usr/bin/chromium";
  if (!fs::exists(browser)) GTEST_SKIP() << browser << " is absent: browser test skipped";
  const fs::path web_tests = fs::path(WISENET_SOURCE_DIR) / "tests/web";
  ASSERT_TRUE(fs::exists(web_tests / "node_modules/playwright-core"))
      << "playwright-core is missing: run scripts/install-deps.sh";

  torch::set_num_threads(1);
  const fs::path dir = test::make_annotation_project("web");
  {
    // One saved cell on im0 (a 3 x 3 square in the corner): the page must show it on open.
    CocoDataset saved;
    saved.categories = {{1, "cell"}, {2, "debris"}};
    saved.images = {{1, "im0.png", 128, 128}};
    cv::Mat square = cv::Mat::zeros(128, 128, CV_8U);
    square(cv::Rect(2, 2, 3, 3)) = 1;
    Annotation a;
    a.image_id = 1;
    a.instance.id = 1;
    a.instance.category = 1;
    a.instance.mask = Rle::from_mask(square);
    a.instance.point = Point{3, 3, 1};
    saved.annotations = {a};
    write_coco(saved, (dir / "annotations.json").string());
  }
  test::RunningServer server(dir);
  const std::string command = "cd '" + web_tests.string() + "' && timeout 50 node e2e.mjs http://127.0.0.1:" +
                              std::to_string(server.port()) + "/ '" + dir.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << command;
  EXPECT_TRUE(fs::exists(dir / "annotation-app.png"));

  // What the page did is on disk: the click, class 2, with its point.
  const CocoDataset after = read_coco((dir / "annotations.json").string());
  bool found = false;
  for (const auto& a : after.annotations) {
    if (a.instance.point && a.instance.point->x == 40 && a.instance.point->y == 44) {
      found = true;
      EXPECT_EQ(a.instance.category, 2);
      EXPECT_TRUE(a.instance.mask.contains(40, 44));
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace wisenet
