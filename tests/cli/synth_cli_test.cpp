// End-to-end: `wisenet synth` writes a dataset that reads back, twice the same; bad options
// fail with one line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/dataset.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

TEST(SynthCli, WritesADatasetThatReadsBack) {
  const fs::path dir = test::temp_dir("synth_cli");
  const std::string args =
      "synth --images 4 --size 48 --classes 2 --seed 3 --val-fraction 0.25"
      " --threads 2 --out ";
  const auto result = test::run_cli(args + (dir / "a").string());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("4 images of 48x48 (3 train, 1 val)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("class 2 square"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("[synth] 4/4"), std::string::npos) << result.err;

  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(fs::exists(dir / "a" / "images" / ("synth_00000" + std::to_string(i) + ".png")));
  }
  const CocoDataset train = read_coco((dir / "a" / "train.json").string());
  const CocoDataset val = read_coco((dir / "a" / "val.json").string());
  ASSERT_EQ(train.images.size(), 3u);
  ASSERT_EQ(val.images.size(), 1u);
  ASSERT_EQ(train.categories.size(), 2u);
  EXPECT_EQ(train.categories[0].name, "disc");
  for (size_t i = 0; i < train.images.size(); ++i) {
    const Sample sample = load_sample(train, i, "");
    EXPECT_EQ(sample.image.rows, 48);
    EXPECT_EQ(sample.points.size(), sample.instances.size());
  }
  for (const Annotation& a : train.annotations) {
    ASSERT_TRUE(a.instance.point.has_value());
    EXPECT_TRUE(a.instance.mask.contains(a.instance.point->x, a.instance.point->y));
  }

  // Same options, another folder and thread count: the same bytes.
  const auto again = test::run_cli(
      "synth --images 4 --size 48 --classes 2 --seed 3 "
      "--val-fraction 0.25 --threads 1 --out " +
      (dir / "b").string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_file((dir / "a" / "train.json").string()),
            read_file((dir / "b" / "train.json").string()));
  EXPECT_EQ(read_file((dir / "a" / "images" / "synth_000003.png").string()),
            read_file((dir / "b" / "images" / "synth_000003.png").string()));
  fs::remove_all(dir);
}

TEST(SynthCli, BadOptionFailsWithOneLine) {
  const fs::path dir = test::temp_dir("synth_cli_bad");
  for (const std::string bad :
       {"--images 2 --classes 0", "--images 2 --classes 7", "--images 2 --size 16", "--images 0",
        "--images 2 --val-fraction 1"}) {
    const auto result = test::run_cli("synth --out " + (dir / "x").string() + " " + bad);
    EXPECT_NE(result.exit_code, 0) << bad;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1)
        << bad << ": " << result.err;
    EXPECT_FALSE(fs::exists(dir / "x" / "train.json")) << bad;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
