#include "wisenet/train/supervision.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/data/image_io.h"
#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/loss/mask_cross_entropy.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/train/embedding_targets.h"
#include "wisenet/train/train_log.h"
#include "wisenet/train/trainer.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

Annotation disc(int64_t image_id, int64_t id, cv::Point c, bool with_mask, int size = 48) {
  cv::Mat m(size, size, CV_8UC1, cv::Scalar(0));
  cv::circle(m, c, 5, cv::Scalar(1), -1);
  Annotation a;
  a.image_id = image_id;
  a.instance.id = id;
  a.instance.category = 1;
  a.instance.point = Point{c.x, c.y, 1};
  a.has_mask = with_mask;
  if (with_mask) {
    a.instance.mask = Rle::from_mask(m);
    a.instance.bbox = a.instance.mask.bbox();
    a.instance.area = static_cast<double>(a.instance.mask.area());
  }
  return a;
}

// Image 1: every object masked. 2: points only. 3: one masked, one point only. 4: nothing.
CocoDataset four_kinds() {
  CocoDataset d;
  d.source = "four.json";
  d.categories = {{1, "disc"}};
  for (int i = 1; i <= 4; ++i) d.images.push_back({i, "im" + std::to_string(i) + ".png", 48, 48});
  d.annotations = {disc(1, 1, {10, 10}, true), disc(1, 2, {30, 30}, true),
                   disc(2, 3, {10, 10}, false), disc(3, 4, {10, 10}, true),
                   disc(3, 5, {30, 30}, false)};
  return d;
}

TEST(Supervision, WhichImagesLearnFromMasks) {
  const CocoDataset d = four_kinds();
  EXPECT_EQ(mask_supervised_images(d, Supervision::kPoints),
            (std::vector<bool>{false, false, false, false}));
  EXPECT_EQ(mask_supervised_images(d, Supervision::kMixed),
            (std::vector<bool>{true, false, false, false}));
  // full: a points-only annotation is an error naming the file and the image.
  const std::string message =
      test::error_of([&] { mask_supervised_images(d, Supervision::kFull); });
  EXPECT_NE(message.find("four.json"), std::string::npos) << message;
  EXPECT_NE(message.find("image 2"), std::string::npos) << message;
  CocoDataset masked = d;
  masked.annotations = {d.annotations[0], d.annotations[1], d.annotations[3]};
  EXPECT_EQ(mask_supervised_images(masked, Supervision::kFull),
            (std::vector<bool>{true, true, true, true}));  // 2 and 4 have no annotation left
  EXPECT_EQ(supervision_from_name("mixed"), Supervision::kMixed);
  EXPECT_STREQ(supervision_name(Supervision::kFull), "full");
  EXPECT_THROW(supervision_from_name("masks"), Error);
}

Sample sample_of(const CocoDataset& d, size_t index) {
  Sample s;
  s.image = cv::Mat(48, 48, CV_8UC3, cv::Scalar(0, 0, 0));
  for (const Annotation& a : d.annotations) {
    if (a.image_id != d.images[index].id) continue;
    s.points.push_back(*a.instance.point);
    if (a.has_mask) s.instances.push_back(a.instance);
  }
  return s;
}

TEST(Supervision, MixedLossGivesCrossEntropyForMaskedImagesAndLcfcnForPointImages) {
  const CocoDataset d = four_kinds();
  const std::vector<bool> rule = mask_supervised_images(d, Supervision::kMixed);
  torch::manual_seed(1);
  const at::Tensor logits = torch::randn({1, 2, 48, 48}, torch::kDouble);
  for (size_t i = 0; i < 3; ++i) {
    const Sample s = sample_of(d, i);
    const LocalizationLoss loss = localization_loss(logits, s, rule[i], LcfcnOptions{});
    const double ce =
        mask_cross_entropy(logits, class_map_target(s.instances, 48, 48)).item<double>();
    const double lcfcn = lcfcn_loss_from_logits(logits, std::vector<std::vector<Point>>{s.points})
                             .total.item<double>();
    ASSERT_GT(std::abs(ce - lcfcn), 1e-3);  // the two losses are told apart
    if (i == 0) {                           // all masked: cross-entropy only
      EXPECT_TRUE(loss.terms.count("mask_ce"));
      EXPECT_FALSE(loss.terms.count("point"));
      EXPECT_NEAR(loss.total.item<double>(), ce, 1e-12);
    } else {  // a point-only annotation: the LCFCN terms (image 3's mask is not used)
      EXPECT_FALSE(loss.terms.count("mask_ce"));
      EXPECT_TRUE(loss.terms.count("point"));
      EXPECT_TRUE(loss.terms.count("split_local"));
      EXPECT_NEAR(loss.total.item<double>(), lcfcn, 1e-12);
    }
  }
}

TEST(Supervision, MaskTargetsAreTheTrueMasksAndTheirComplement) {
  const Sample s = sample_of(four_kinds(), 0);
  const EmbeddingTargets t = mask_targets(s);
  ASSERT_EQ(t.pseudo_masks.size(), 2u);
  EXPECT_EQ(t.pseudo_masks[0], s.instances[0].mask);
  EXPECT_EQ(t.pseudo_masks[1], s.instances[1].mask);
  EXPECT_EQ(t.background.area(), 48 * 48 - s.instances[0].mask.area() - s.instances[1].mask.area());
  EXPECT_EQ(t.background.intersection(s.instances[0].mask), 0);
  EXPECT_THROW(mask_targets(sample_of(four_kinds(), 2)), Error);  // a point without a mask
}

TEST(Supervision, OptionIsSavedAndOldOptionsMeanPoints) {
  TrainOptions o;
  o.supervision = Supervision::kMixed;
  const nlohmann::json j = train_options_to_json(o);
  EXPECT_EQ(j.at("supervision"), "mixed");
  TrainOptions back;
  merge_train_options(j, "test", back);
  EXPECT_EQ(back.supervision, Supervision::kMixed);
  nlohmann::json old = j;
  old.erase("supervision");  // options saved before issue #5
  TrainOptions from_old;
  merge_train_options(old, "test", from_old);
  EXPECT_EQ(from_old.supervision, Supervision::kPoints);
  EXPECT_THROW(merge_train_options({{"supervision", "boxes"}}, "test", from_old), Error);
}

// Writes the images of four_kinds() (discs where the annotations are) and the dataset.
std::string write_four_kinds(const fs::path& dir, const CocoDataset& d) {
  fs::create_directories(dir / "images");
  for (const auto& im : d.images) {
    cv::Mat image(48, 48, CV_8UC3, cv::Scalar(30, 30, 30));
    for (const auto& a : d.annotations) {
      if (a.image_id == im.id) {
        cv::circle(image, {a.instance.point->x, a.instance.point->y}, 5, {220, 200, 90}, -1);
      }
    }
    save_png((dir / "images" / im.file_name).string(), image);
  }
  const std::string path = (dir / "data.json").string();
  write_coco(d, path);
  return path;
}

TEST(Supervision, FullTrainingNeedsNoProposalsAndMixedTrainsOnBoth) {
  const fs::path dir = test::temp_dir("supervision_train");
  CocoDataset full_set = four_kinds();
  full_set.annotations = {full_set.annotations[0], full_set.annotations[1],
                          full_set.annotations[3]};
  const std::string full_json = write_four_kinds(dir / "full", full_set);
  TrainOptions o;
  o.train_json = full_json;
  o.supervision = Supervision::kFull;
  o.max_steps = 4;
  o.threads = 2;
  o.progress = false;
  o.out_dir = (dir / "loc").string();
  const TrainResult loc = train(o);
  EXPECT_EQ(loc.steps, 4);
  const auto rows = read_train_log((dir / "loc" / "log.csv").string());
  ASSERT_FALSE(rows.empty());
  EXPECT_TRUE(rows[0].values.count("mask_ce"));
  o.stage = TrainStage::kEmbedding;
  o.init = loc.last_checkpoint;
  o.out_dir = (dir / "emb").string();
  EXPECT_EQ(train(o).steps, 4);
  EXPECT_FALSE(fs::exists(dir / "emb" / "proposals"));  // full: no proposal was computed

  const std::string mixed_json = write_four_kinds(dir / "mixed", four_kinds());
  o.train_json = mixed_json;
  o.supervision = Supervision::kMixed;
  o.stage = TrainStage::kLocalization;
  o.init.clear();
  o.out_dir = (dir / "mixed_loc").string();
  EXPECT_EQ(train(o).steps, 4);
  o.supervision = Supervision::kFull;  // image 2 has points only
  o.out_dir = (dir / "full_on_mixed").string();
  EXPECT_THROW(train(o), Error);
  fs::remove_all(dir);
}

// L-Net trained on the image upsampled 2x: the emb stage that starts from it must run it at
// the same scale, and the final checkpoint keeps that scale for predict and count.
TEST(InputScale, EmbStageKeepsTheLNetScaleOfItsInit) {
  const fs::path dir = test::temp_dir("input_scale_train");
  CocoDataset data = four_kinds();
  data.annotations = {data.annotations[0], data.annotations[1], data.annotations[3]};
  TrainOptions o;
  o.train_json = write_four_kinds(dir / "data", data);
  o.supervision = Supervision::kFull;
  o.model.lnet_input_scale = 2;
  o.max_steps = 2;
  o.threads = 2;
  o.progress = false;
  o.out_dir = (dir / "loc").string();
  const TrainResult loc = train(o);
  o.stage = TrainStage::kEmbedding;
  o.init = loc.last_checkpoint;
  o.model.lnet_input_scale = 1;
  o.out_dir = (dir / "emb1").string();
  try {
    train(o);
    ADD_FAILURE() << "an emb stage at another L-Net scale than its init was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pass --lnet-input-scale 2"), std::string::npos)
        << e.what();
  }
  o.model.lnet_input_scale = 2;
  o.out_dir = (dir / "emb2").string();
  const TrainResult emb = train(o);
  WiseNet reloaded(o.model);
  EXPECT_EQ(load_checkpoint(emb.last_checkpoint, *reloaded, nullptr).options.lnet_input_scale, 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
