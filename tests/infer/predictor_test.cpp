// Prediction with a tiny randomly initialised WiseNet on a 64 x 64 image: the invariants of
// section 6 (one instance per blob, disjoint masks holding their seeds, modes, determinism).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {
namespace {

class PredictorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    torch::manual_seed(3);
    WiseNetOptions o;
    o.backbone = "small";
    o.num_classes = 2;
    o.embedding_dim = 8;
    model = WiseNet(o);
    model->eval();
    // Default init leaves channel 0 ahead everywhere (no blobs); larger random score layers
    // give a patchy argmax with several blobs of both classes.
    torch::NoGradGuard no_grad;
    for (auto& p : model->named_parameters()) {
      if (p.key().rfind("lnet.head.", 0) == 0) p.value().normal_(0, 1);
    }
    classes.category_ids = {5, 9};
    classes.names = {"a", "b"};
    cv::RNG rng(7);
    image = cv::Mat(64, 64, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 255);
    cv::rectangle(image, {10, 10, 20, 20}, cv::Scalar(250, 30, 30), cv::FILLED);
    cv::circle(image, {45, 45}, 10, cv::Scalar(20, 220, 40), cv::FILLED);
    // Proposals: quadrants (score 0.9) and the whole image (0.7).
    for (int q = 0; q < 4; ++q) {
      cv::Mat m(64, 64, CV_8U, cv::Scalar(0));
      m(cv::Rect((q % 2) * 32, (q / 2) * 32, 32, 32)).setTo(1);
      proposals.push_back({Rle::from_mask(m), 0.9});
    }
    proposals.push_back({Rle::from_mask(cv::Mat(64, 64, CV_8U, cv::Scalar(1))), 0.7});
  }
  WiseNet model{nullptr};
  ClassMap classes;
  cv::Mat image;
  Proposals proposals;
};

TEST_F(PredictorTest, EmbeddingModeInvariants) {
  const Localization located = localize(*model, image);
  ASSERT_GE(located.objects.size(), 2u) << "the fixed seed should give a few blobs";
  const auto out = predict_instances(*model, classes, image);
  ASSERT_EQ(out.size(), located.objects.size());  // one per blob, no cap
  cv::Mat covered(64, 64, CV_8U, cv::Scalar(0));
  for (size_t k = 0; k < out.size(); ++k) {
    const Instance& in = out[k];
    const LocatedObject& o = located.objects[k];
    ASSERT_TRUE(in.point.has_value());
    EXPECT_EQ(in.point->x, o.seed.x);
    EXPECT_EQ(in.point->y, o.seed.y);
    EXPECT_TRUE(in.mask.contains(o.seed.x, o.seed.y));
    EXPECT_EQ(in.category, classes.category_of(o.channel));
    EXPECT_FLOAT_EQ(static_cast<float>(in.score), o.max_probability);
    EXPECT_EQ(in.area, in.mask.area());
    EXPECT_EQ(in.bbox, in.mask.bbox());
    const cv::Mat m = in.mask.to_mask();
    EXPECT_EQ(cv::countNonZero(m & covered), 0) << "masks overlap at instance " << k;
    covered |= m;
  }
  // Deterministic: the same model and image give the same instances.
  const auto again = predict_instances(*model, classes, image);
  ASSERT_EQ(again.size(), out.size());
  for (size_t k = 0; k < out.size(); ++k) EXPECT_EQ(again[k].mask, out[k].mask);
}

TEST_F(PredictorTest, ProposalModes) {
  PredictOptions o;
  const auto embedding = predict_instances(*model, classes, image, &proposals, o);
  ASSERT_FALSE(embedding.empty());
  o.mode = PredictionMode::kBestObjectness;
  const auto objectness = predict_instances(*model, classes, image, &proposals, o);
  o.mode = PredictionMode::kBestDice;
  const auto best_dice = predict_instances(*model, classes, image, &proposals, o);
  ASSERT_EQ(objectness.size(), embedding.size());
  ASSERT_EQ(best_dice.size(), embedding.size());
  for (size_t k = 0; k < embedding.size(); ++k) {
    const Point s = *embedding[k].point;
    // Best objectness: the seed's quadrant (0.9 beats the whole image's 0.7).
    const int quadrant = (s.x >= 32) + 2 * (s.y >= 32);
    EXPECT_EQ(objectness[k].mask, proposals[quadrant].mask) << k;
    EXPECT_DOUBLE_EQ(objectness[k].score, 0.9);
    // Best dice: one of the seed's two candidates, scored by its Dice with the embedding mask.
    const Rle& e = embedding[k].mask;
    const double dq = 2.0 * e.intersection(proposals[quadrant].mask) /
                      double(e.area() + proposals[quadrant].mask.area());
    const double dw = 2.0 * e.area() / double(e.area() + 64 * 64);
    EXPECT_NEAR(best_dice[k].score, std::max(dq, dw), 1e-12) << k;
    EXPECT_EQ(best_dice[k].mask, dq >= dw ? proposals[quadrant].mask : proposals[4].mask);
  }
  EXPECT_THROW(predict_instances(*model, classes, image, nullptr, o), Error);
}

TEST_F(PredictorTest, MasksForPoints) {
  const std::vector<Point> clicks{{5, 5, 9}, {50, 50, 5}, {20, 40, 9}};
  const auto out = masks_for_points(*model, image, clicks);
  ASSERT_EQ(out.size(), clicks.size());
  cv::Mat covered(64, 64, CV_8U, cv::Scalar(0));
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(out[k].category, clicks[k].category);
    EXPECT_EQ(*out[k].point, clicks[k]);
    EXPECT_TRUE(out[k].mask.contains(clicks[k].x, clicks[k].y));
    const cv::Mat m = out[k].mask.to_mask();
    EXPECT_EQ(cv::countNonZero(m & covered), 0);
    covered |= m;
  }
  const auto with_proposals = masks_for_points(*model, image, clicks, &proposals);
  EXPECT_EQ(with_proposals.size(), clicks.size());
  EXPECT_TRUE(masks_for_points(*model, image, {}).empty());
  EXPECT_THROW(masks_for_points(*model, image, {{64, 0, 5}}), Error);
}

}  // namespace
}  // namespace wisenet
