#include "wisenet/train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/image_io.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/train/train_log.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// A tiny dataset: `n` 48x48 images with 1-3 bright discs each, masks and center points.
std::string write_tiny_dataset(const fs::path& dir, int n, uint64_t seed) {
  fs::create_directories(dir / "images");
  CocoDataset d;
  d.categories = {{1, "disc"}};
  cv::RNG rng(seed);
  int64_t ann = 1;
  for (int i = 0; i < n; ++i) {
    cv::Mat image(48, 48, CV_8UC3, cv::Scalar(30, 30, 30));
    const std::string name = "im" + std::to_string(i) + ".png";
    d.images.push_back({i + 1, name, 48, 48});
    const int discs = 1 + i % 3;
    for (int k = 0; k < discs; ++k) {
      const cv::Point c(8 + k * 15, 10 + rng.uniform(0, 28));
      cv::Mat m(48, 48, CV_8UC1, cv::Scalar(0));
      cv::circle(m, c, 5, cv::Scalar(1), -1);
      image.setTo(cv::Scalar(220, 200, 90), m);
      Annotation a;
      a.image_id = i + 1;
      a.instance.id = ann++;
      a.instance.category = 1;
      a.instance.mask = Rle::from_mask(m);
      a.instance.bbox = a.instance.mask.bbox();
      a.instance.area = double(a.instance.mask.area());
      a.instance.point = point_for_mask(a.instance.mask, 1, PointRule::kCenter, 0);
      d.annotations.push_back(a);
    }
    save_png((dir / "images" / name).string(), image);
  }
  const std::string path = (dir / "data.json").string();
  write_coco(d, path);
  return path;
}

TrainOptions tiny_options(const std::string& data, const fs::path& out) {
  TrainOptions o;
  o.train_json = data;
  o.val_json = data;
  o.out_dir = out.string();
  o.lr = 1e-3;
  o.epochs = 100;
  o.threads = 2;
  o.hflip = true;
  o.scale_jitter = 0.2;
  o.batch_size = 2;
  o.val_every = 3;
  o.progress = false;
  o.seed = 5;
  // The cosine schedule depends on the planned total, which the K + K runs below change on
  // purpose; a constant rate makes the split run the same computation as the straight one.
  o.lr_schedule = "constant";
  return o;
}

std::map<std::string, torch::Tensor> weights_of(const std::string& checkpoint) {
  TrainedModel t = load_trained_model(checkpoint);
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : t.model->named_parameters()) w[p.key()] = p.value().clone();
  for (const auto& b : t.model->named_buffers()) w[b.key()] = b.value().clone();
  return w;
}

TEST(Trainer, ResumeGivesTheSameWeightsAsAnUninterruptedRun) {
  const fs::path dir = test::temp_dir("resume");
  const std::string data = write_tiny_dataset(dir / "data", 6, 1);
  const int k = 4;

  TrainOptions straight = tiny_options(data, dir / "straight");
  straight.max_steps = 2 * k;
  const TrainResult a = train(straight);
  EXPECT_EQ(a.steps, 2 * k);

  TrainOptions first = tiny_options(data, dir / "split");
  first.max_steps = k;
  EXPECT_EQ(train(first).steps, k);
  const TrainResult b = resume_training((dir / "split").string(), "{\"max_steps\": 8}");
  EXPECT_EQ(b.steps, 2 * k);

  const auto wa = weights_of(a.last_checkpoint);
  const auto wb = weights_of(b.last_checkpoint);
  ASSERT_EQ(wa.size(), wb.size());
  for (const auto& [name, tensor] : wa) {
    ASSERT_TRUE(wb.count(name)) << name;
    EXPECT_TRUE(torch::equal(tensor, wb.at(name))) << name;
  }
  // And training changed something: the run is not a no-op.
  TrainOptions none = tiny_options(data, dir / "none");
  none.max_steps = 1;
  const auto w1 = weights_of(train(none).last_checkpoint);
  bool differs = false;
  for (const auto& [name, tensor] : wa) differs |= !torch::equal(tensor, w1.at(name));
  EXPECT_TRUE(differs);

  // The log has one row per step (the resumed run kept the first half) and validations.
  const auto rows = read_train_log((dir / "split" / "log.csv").string());
  int steps = 0, vals = 0;
  for (const auto& r : rows) (r.kind == "step" ? steps : vals)++;
  EXPECT_EQ(steps, 2 * k);
  EXPECT_GE(vals, 2);
  EXPECT_TRUE(fs::exists(dir / "split" / "curves.png"));
  EXPECT_TRUE(fs::exists(dir / "split" / "best.ckpt"));
}

TEST(Trainer, RefusesToOverwriteARunAndReportsBadOptions) {
  const fs::path dir = test::temp_dir("refuse");
  const std::string data = write_tiny_dataset(dir / "data", 2, 2);
  TrainOptions o = tiny_options(data, dir / "run");
  o.max_steps = 1;
  o.val_json.clear();
  train(o);
  EXPECT_THROW(train(o), Error);
  o.lr = -1;
  EXPECT_THROW(train(o), Error);
  o.lr = 1e-3;
  o.similarity.pixels_per_point = 0;
  EXPECT_NE(test::error_of([&] { train(o); }).find("pixels_per_point must be >= 1"),
            std::string::npos);
  TrainOptions missing = tiny_options((dir / "nope.json").string(), dir / "run2");
  EXPECT_THROW(train(missing), Error);
  EXPECT_THROW(resume_training((dir / "nothing").string()), Error);
  // enet_from_lnet needs a trained L-Net to copy: stage emb with --init, or stage both.
  TrainOptions copy = tiny_options(data, dir / "run3");
  copy.enet_from_lnet = true;
  EXPECT_NE(test::error_of([&] { train(copy); }).find("enet_from_lnet needs"), std::string::npos);
  copy.stage = TrainStage::kEmbedding;
  EXPECT_NE(test::error_of([&] { train(copy); }).find("--init"), std::string::npos);
  copy.stage = TrainStage::kBoth;
  EXPECT_NE(test::error_of([&] { train(copy); }).find("train_both"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "run3" / "last.ckpt"));
}

TEST(TrainOptions, ConfigMergeChecksKeysAndTypes) {
  TrainOptions o;
  merge_train_options(nlohmann::json{{"lr", 0.01},
                                     {"backbone", "resnet18"},
                                     {"hflip", true},
                                     {"pixels_per_point", 400},
                                     {"background_pixels", 300},
                                     {"lnet_input_scale", 2}},
                      "c.json", o);
  EXPECT_DOUBLE_EQ(o.lr, 0.01);
  EXPECT_EQ(o.similarity.pixels_per_point, 400);
  EXPECT_EQ(o.similarity.background_pixels, 300);
  EXPECT_EQ(o.model.lnet_input_scale, 2);
  EXPECT_THROW(merge_train_options(nlohmann::json{{"lnet_input_scale", 9}}, "c.json", o), Error);
  EXPECT_EQ(o.model.backbone, "resnet18");
  EXPECT_TRUE(o.hflip);
  EXPECT_THROW(merge_train_options(nlohmann::json{{"lrr", 1}}, "c.json", o), Error);
  EXPECT_THROW(merge_train_options(nlohmann::json{{"lr", "fast"}}, "c.json", o), Error);
  EXPECT_THROW(merge_train_options(nlohmann::json{{"stage", "x"}}, "c.json", o), Error);
  // Round trip.
  TrainOptions back;
  merge_train_options(train_options_to_json(o), "rt", back);
  EXPECT_EQ(train_options_to_json(back), train_options_to_json(o));
}

}  // namespace
}  // namespace wisenet
