// Tests of the built-in synthetic dataset (src/wisenet/data/synthetic*.cpp).
#include "wisenet/data/synthetic.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/image_io.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

SynthOptions small_options(int classes = 3, uint64_t seed = 7) {
  SynthOptions o;
  o.images = 20;
  o.size = 128;
  o.classes = classes;
  o.seed = seed;
  return o;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// Whether the masks touch or overlap: a's 1-pixel (8-neighbour) dilation meets b.
bool touching(const Rle& a, const Rle& b) {
  cv::Mat grown;
  cv::dilate(a.to_mask(), grown, cv::Mat::ones(3, 3, CV_8U));
  return cv::countNonZero(grown & b.to_mask()) > 0;
}

TEST(Synthetic, SameSeedGivesSameImageAndMasks) {
  const SynthOptions o = small_options();
  const SynthImage a = make_synthetic_image(o, 3), b = make_synthetic_image(o, 3);
  EXPECT_TRUE(same_pixels(a.image, b.image));
  ASSERT_EQ(a.instances.size(), b.instances.size());
  for (size_t i = 0; i < a.instances.size(); ++i) {
    EXPECT_EQ(a.instances[i].mask, b.instances[i].mask);
    EXPECT_EQ(a.instances[i].category, b.instances[i].category);
    EXPECT_EQ(a.instances[i].point, b.instances[i].point);
  }
  ASSERT_EQ(a.distractors.size(), b.distractors.size());
}

TEST(Synthetic, DifferentSeedOrIndexGivesDifferentImages) {
  const SynthImage base = make_synthetic_image(small_options(3, 7), 3);
  EXPECT_FALSE(same_pixels(base.image, make_synthetic_image(small_options(3, 8), 3).image));
  EXPECT_FALSE(same_pixels(base.image, make_synthetic_image(small_options(3, 7), 4).image));
}

TEST(Synthetic, ImageIsRgbOfTheRequestedSize) {
  SynthOptions o = small_options();
  for (int size : {32, 96, 200}) {
    o.size = size;
    const SynthImage s = make_synthetic_image(o, 0);
    EXPECT_EQ(s.image.type(), CV_8UC3);
    EXPECT_EQ(s.image.rows, size);
    EXPECT_EQ(s.image.cols, size);
    for (const Instance& instance : s.instances) {
      EXPECT_EQ(instance.mask.height(), size);
      EXPECT_EQ(instance.mask.width(), size);
    }
  }
}

// The per-image contract of make_synthetic_image, over a 20-image dataset of 6 classes.
TEST(Synthetic, InstancesAreVisibleDisjointAndCarryTheirPoint) {
  const SynthOptions o = small_options(6);
  int64_t objects = 0, same_class_touching = 0, distractors = 0;
  int64_t smallest = INT64_MAX, largest = 0;
  std::set<int> categories;
  for (int index = 0; index < o.images; ++index) {
    const SynthImage s = make_synthetic_image(o, index);
    ASSERT_LE(s.instances.size(), 15u) << "image " << index;
    objects += static_cast<int64_t>(s.instances.size());
    distractors += static_cast<int64_t>(s.distractors.size());
    for (size_t i = 0; i < s.instances.size(); ++i) {
      const Instance& a = s.instances[i];
      categories.insert(a.category);
      EXPECT_GE(a.category, 1);
      EXPECT_LE(a.category, 6);
      // 20 px is the minimum visible part at size 128.
      EXPECT_GE(a.mask.area(), 20) << "image " << index << " instance " << i;
      EXPECT_EQ(a.area, static_cast<double>(a.mask.area()));
      EXPECT_EQ(a.bbox, a.mask.bbox());
      ASSERT_TRUE(a.point.has_value());
      EXPECT_TRUE(a.mask.contains(a.point->x, a.point->y)) << "image " << index;
      EXPECT_EQ(a.point->category, a.category);
      smallest = std::min(smallest, a.mask.area());
      largest = std::max(largest, a.mask.area());
      for (size_t j = i + 1; j < s.instances.size(); ++j) {
        const Instance& b = s.instances[j];
        EXPECT_EQ(a.mask.intersection(b.mask), 0) << "image " << index << " " << i << "/" << j;
        if (a.category == b.category && touching(a.mask, b.mask)) ++same_class_touching;
      }
      for (const Rle& d : s.distractors) EXPECT_EQ(a.mask.intersection(d), 0);
    }
    for (const Rle& d : s.distractors) EXPECT_GT(d.area(), 0);
  }
  // Uniform 0..15 objects per image gives ~7 on average; these bounds fail only if the
  // generator is broken (e.g. placement always rejected, or no clusters).
  EXPECT_GE(objects, 60);
  EXPECT_GE(same_class_touching, 10);
  EXPECT_GE(distractors, 10);
  EXPECT_EQ(categories.size(), 6u);
  // Diameters span 10..35 px: areas (before occlusion) span ~12x.
  EXPECT_GE(static_cast<double>(largest) / static_cast<double>(smallest), 4.0);
}

TEST(Synthetic, ObjectCountsSpanTheRange) {
  SynthOptions o = small_options();
  o.images = 60;
  int most = 0, fewest = 100;
  for (int index = 0; index < o.images; ++index) {
    const int n = static_cast<int>(make_synthetic_image(o, index).instances.size());
    most = std::max(most, n);
    fewest = std::min(fewest, n);
  }
  EXPECT_LE(fewest, 2);
  EXPECT_GE(most, 10);
  EXPECT_LE(most, 15);
}

TEST(Synthetic, MaxObjectsZeroGivesEmptyImages) {
  SynthOptions o = small_options();
  o.max_objects = 0;
  for (int index = 0; index < 5; ++index) {
    EXPECT_TRUE(make_synthetic_image(o, index).instances.empty());
  }
}

TEST(Synthetic, InvalidOptionsAreRejectedWithTheirName) {
  auto message_for = [](SynthOptions o) -> std::string {
    try {
      validate_synth_options(o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  SynthOptions o = small_options();
  EXPECT_EQ(message_for(o), "");
  o.classes = 0;
  EXPECT_NE(message_for(o).find("--classes"), std::string::npos);
  o.classes = 7;
  EXPECT_NE(message_for(o).find("--classes"), std::string::npos);
  o = small_options();
  o.size = 31;
  EXPECT_NE(message_for(o).find("--size"), std::string::npos);
  o = small_options();
  o.images = 0;
  EXPECT_NE(message_for(o).find("--images"), std::string::npos);
  o = small_options();
  o.val_fraction = 1.0;
  EXPECT_NE(message_for(o).find("--val-fraction"), std::string::npos);
  o.val_fraction = -0.1;
  EXPECT_NE(message_for(o).find("--val-fraction"), std::string::npos);
  EXPECT_THROW(make_synthetic_image(o, 0), Error);
}

TEST(Synthetic, NamesAndSplit) {
  EXPECT_EQ(synthetic_file_name(12), "synth_000012.png");
  const auto categories = synthetic_categories(6);
  ASSERT_EQ(categories.size(), 6u);
  EXPECT_EQ(categories[0].id, 1);
  EXPECT_EQ(categories[0].name, "disc");
  EXPECT_EQ(categories[5].name, "cross");
  EXPECT_THROW(synthetic_categories(0), Error);
  SynthOptions o = small_options();
  o.images = 10;
  EXPECT_EQ(synthetic_val_count(o), 2);
  o.images = 1;
  EXPECT_EQ(synthetic_val_count(o), 0);  // train.json is never empty
  o.images = 3;
  o.val_fraction = 0.9;
  EXPECT_EQ(synthetic_val_count(o), 2);
  o.val_fraction = 0;
  EXPECT_EQ(synthetic_val_count(o), 0);
}

TEST(Synthetic, WrittenDatasetReadsBackAsGenerated) {
  SynthOptions o = small_options();
  o.images = 5;
  o.size = 64;
  o.val_fraction = 0.4;
  const fs::path dir = test::temp_dir("synth");
  // A stale JSON from an earlier run must not survive.
  fs::create_directories(dir);
  write_file_atomic((dir / "val.json").string(), "stale");
  int last_done = 0, last_total = 0;
  const SynthSummary summary = write_synthetic_dataset(o, dir.string(), [&](int done, int total) {
    EXPECT_GT(done, last_done);
    last_done = done;
    last_total = total;
  });
  EXPECT_EQ(last_done, 5);
  EXPECT_EQ(last_total, 5);
  EXPECT_EQ(summary.train_images, 3);
  EXPECT_EQ(summary.val_images, 2);
  ASSERT_EQ(summary.objects_per_class.size(), 3u);

  const CocoDataset train = read_coco(summary.train_json);
  const CocoDataset val = read_coco(summary.val_json);
  ASSERT_EQ(train.images.size(), 3u);
  ASSERT_EQ(val.images.size(), 2u);
  ASSERT_EQ(train.categories.size(), 3u);
  EXPECT_EQ(train.categories[1].name, "square");
  std::set<int64_t> annotation_ids;
  int64_t objects = 0;
  for (const CocoDataset* split : {&train, &val}) {
    const auto by_image = split->annotations_by_image();
    for (size_t i = 0; i < split->images.size(); ++i) {
      const ImageInfo& info = split->images[i];
      const int index = static_cast<int>(info.id) - 1;
      EXPECT_EQ(info.file_name, synthetic_file_name(index));
      EXPECT_EQ(info.width, 64);
      const SynthImage expected = make_synthetic_image(o, index);
      const cv::Mat pixels = load_image((dir / "images" / info.file_name).string());
      EXPECT_TRUE(same_pixels(pixels, expected.image)) << info.file_name;
      ASSERT_EQ(by_image[i].size(), expected.instances.size()) << info.file_name;
      for (size_t k = 0; k < by_image[i].size(); ++k) {
        const Annotation& a = *by_image[i][k];
        EXPECT_TRUE(annotation_ids.insert(a.instance.id).second);
        EXPECT_EQ(a.instance.mask, expected.instances[k].mask);
        EXPECT_EQ(a.instance.category, expected.instances[k].category);
        EXPECT_EQ(a.instance.point, expected.instances[k].point);
        EXPECT_EQ(a.instance.bbox, expected.instances[k].bbox);
        EXPECT_FALSE(a.instance.iscrowd);
        ++objects;
      }
    }
  }
  int64_t summed = 0;
  for (int64_t n : summary.objects_per_class) summed += n;
  EXPECT_EQ(summed, objects);
  fs::remove_all(dir);
}

TEST(Synthetic, FilesAreTheSameWhateverTheThreadCount) {
  SynthOptions o = small_options();
  o.images = 6;
  o.size = 64;
  const fs::path one = test::temp_dir("synth1"), two = test::temp_dir("synth2");
  const int threads = cv::getNumThreads();
  cv::setNumThreads(1);
  write_synthetic_dataset(o, one.string());
  cv::setNumThreads(4);
  write_synthetic_dataset(o, two.string());
  cv::setNumThreads(threads);
  for (const std::string name :
       {"train.json", "val.json", "images/synth_000000.png", "images/synth_000005.png"}) {
    EXPECT_EQ(read_file((one / name).string()), read_file((two / name).string())) << name;
  }
  fs::remove_all(one);
  fs::remove_all(two);
}

}  // namespace
}  // namespace wisenet
