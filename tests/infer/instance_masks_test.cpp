// Section 6 without a network: joining the most similar seed, background seeds, output modes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/infer/background_seeds.h"
#include "wisenet/infer/instance_masks.h"
#include "wisenet/infer/instances_cv.h"
#include "wisenet/infer/predictor.h"

namespace wisenet {
namespace {

using torch::indexing::Slice;

Rle rect_mask(int h, int w, cv::Rect r) {
  cv::Mat m(h, w, CV_8U, cv::Scalar(0));
  m(r).setTo(1);
  return Rle::from_mask(m);
}

// 4 x 6 image, D = 2: columns 0-2 at (0, 0), columns 3-5 at (5, 5), pixel (1, 3) at (0, 0.5).
torch::Tensor two_halves() {
  torch::Tensor e = torch::zeros({2, 4, 6});
  e.index_put_({Slice(), Slice(), Slice(3, 6)}, 5.0);
  e.index_put_({1, 3, 1}, 0.5);
  return e;
}

TEST(JoinMostSimilarSeed, PixelsGoToTheNearestSeed) {
  torch::set_num_threads(1);
  const cv::Mat labels = join_most_similar_seed(two_halves(), {{0, 0}, {5, 3}});
  ASSERT_EQ(labels.type(), CV_32S);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) EXPECT_EQ(labels.at<int>(y, x), x < 3 ? 0 : 1) << x << "," << y;
  }
  // A third seed at (0, 0.5) takes its own pixel only: every other pixel of the left half is
  // nearer seed 0 (distance 0) than seed 2.
  const cv::Mat three = join_most_similar_seed(two_halves(), {{0, 0}, {5, 3}, {1, 3}});
  EXPECT_EQ(three.at<int>(3, 1), 2);
  EXPECT_EQ(cv::countNonZero(three == 2), 1);
  // Two seeds with one embedding: ties go to the lower index, but each keeps its own pixel.
  const cv::Mat tie = join_most_similar_seed(two_halves(), {{2, 2}, {0, 0}, {4, 0}});
  EXPECT_EQ(tie.at<int>(0, 0), 1);
  EXPECT_EQ(tie.at<int>(1, 1), 0);
  EXPECT_EQ(cv::countNonZero(tie == 1), 1);
  const std::vector<Rle> masks = seed_masks(three, 3);
  EXPECT_EQ(masks[0].area() + masks[1].area() + masks[2].area(), 24);
}

// One mask per label, as Rle::from_mask of labels == k: runs crossing columns, labels on the
// first and last pixel, a label without pixels, and labels outside 0..count-1 ignored.
TEST(SeedMasks, EqualTheMasksOfEachLabel) {
  cv::Mat labels(7, 5, CV_32S);
  cv::RNG rng(3);
  rng.fill(labels, cv::RNG::UNIFORM, -1, 5);
  labels.at<int>(0, 0) = 2;
  labels.at<int>(6, 4) = 2;
  labels.setTo(1, labels == 3);  // label 3 keeps no pixel
  const std::vector<Rle> masks = seed_masks(labels, 4);
  ASSERT_EQ(masks.size(), 4u);
  for (int k = 0; k < 4; ++k) {
    cv::Mat m = labels == k;
    m.setTo(1, m);
    EXPECT_EQ(masks[k], Rle::from_mask(m)) << k;
  }
  EXPECT_EQ(masks[3].area(), 0);
  EXPECT_EQ(masks[2].counts().front(), 0u);  // a run from the first pixel
}

TEST(JoinMostSimilarSeed, BadInput) {
  EXPECT_THROW(join_most_similar_seed(two_halves(), {}), Error);
  EXPECT_THROW(join_most_similar_seed(two_halves(), {{6, 0}}), Error);
  EXPECT_THROW(join_most_similar_seed(torch::zeros({4, 6}), {{0, 0}}), Error);
}

TEST(Dice, HandComputed) {
  const Rle a = rect_mask(10, 10, {0, 0, 4, 4});
  const Rle b = rect_mask(10, 10, {2, 0, 4, 4});
  EXPECT_DOUBLE_EQ(dice(a, b), 2.0 * 8 / 32);
  EXPECT_DOUBLE_EQ(dice(a, a), 1.0);
  EXPECT_DOUBLE_EQ(dice(Rle(10, 10), Rle(10, 10)), 0.0);
}

TEST(BackgroundSeeds, DrawnOutsideEveryCandidate) {
  const Proposals proposals{{rect_mask(20, 20, {0, 0, 10, 10}), 0.9},   // candidate of (2, 2)
                            {rect_mask(20, 20, {0, 0, 20, 5}), 0.4},    // below the threshold
                            {rect_mask(20, 20, {12, 12, 5, 5}), 0.8}};  // contains no seed
  EXPECT_EQ(seed_candidates({2, 2}, proposals, 0.5), std::vector<int>{0});
  const Rle region = background_seed_region({{2, 2}, {15, 3}}, proposals, 0.5, 20, 20);
  EXPECT_EQ(region.area(), 400 - 100 - 1);  // the candidate and the second seed's pixel
  EXPECT_FALSE(region.contains(15, 3));
  EXPECT_TRUE(region.contains(14, 14));
  const auto seeds = background_seeds(region, 50, 3);
  ASSERT_EQ(seeds.size(), 50u);
  for (const cv::Point& p : seeds) EXPECT_TRUE(region.contains(p.x, p.y));
  EXPECT_EQ(background_seeds(region, 50, 3), seeds);
  EXPECT_NE(background_seeds(region, 50, 4), seeds);
  EXPECT_TRUE(background_seeds(Rle(20, 20), 5, 3).empty());
}

// A proposal spanning the whole image is a candidate of every seed, so section 6's region is
// empty; the region falls back to the pixels outside each seed's chosen proposal, then to the
// pixels outside the blobs.
TEST(BackgroundSeeds, RegionFallsBackWhenTheCandidatesCoverEverything) {
  const std::vector<ObjectSeed> seeds{{{2, 2}, 1, 0.9}, {{15, 3}, 1, 0.8}};
  const Proposals proposals{{rect_mask(20, 20, {0, 0, 20, 20}), 0.99},  // everything
                            {rect_mask(20, 20, {0, 0, 10, 10}), 0.9},   // chosen for (2, 2)
                            {rect_mask(20, 20, {12, 0, 8, 8}), 0.7}};   // chosen for (15, 3)
  EXPECT_EQ(background_seed_region({{2, 2}, {15, 3}}, proposals, 0.5, 20, 20).area(), 0);
  PredictOptions options;
  const Rle region = background_region(seeds, &proposals, nullptr, options, 20, 20);
  EXPECT_EQ(region.area(), 400 - 100 - 64);
  EXPECT_FALSE(region.contains(2, 2));
  EXPECT_FALSE(region.contains(15, 3));
  EXPECT_TRUE(region.contains(19, 19));
  EXPECT_EQ(seed_pixels(seeds, region, options).size(), 4u);  // 2 objects + 2 background
  PredictOptions more = options;
  more.background_seeds_per_object = 3;
  const std::vector<cv::Point> pixels = seed_pixels(seeds, region, more);
  ASSERT_EQ(pixels.size(), 8u);  // 2 objects + 6 background, all in the region
  for (size_t k = 2; k < pixels.size(); ++k) EXPECT_TRUE(region.contains(pixels[k].x, pixels[k].y));
  more.background_seeds_per_object = 0;
  EXPECT_THROW(seed_pixels(seeds, region, more), Error);

  // The chosen proposals tile the image: no background either way, so the blobs decide.
  const Proposals halves{{rect_mask(20, 20, {0, 0, 10, 20}), 0.9},
                         {rect_mask(20, 20, {10, 0, 10, 20}), 0.8}};
  EXPECT_EQ(background_seed_region({{2, 2}, {15, 3}}, halves, 0.5, 20, 20).area(), 0);
  Localization located;
  located.blob_map.blob_index = cv::Mat(20, 20, CV_32S, cv::Scalar(-1));
  located.blob_map.blob_index(cv::Rect(0, 0, 5, 5)).setTo(0);
  located.blob_map.blob_index(cv::Rect(14, 2, 3, 3)).setTo(1);
  const Rle outside = background_region(seeds, &halves, &located, options, 20, 20);
  EXPECT_EQ(outside.area(), 400 - 25 - 9);
  // Without blobs the (empty) chosen-proposal background is what there is.
  EXPECT_EQ(background_region(seeds, &halves, nullptr, options, 20, 20).area(), 0);
}

// 4 x 6 halves: seed 0 on the left, seed 1 on the right, no background region.
class OutputModes : public ::testing::Test {
 protected:
  std::vector<ObjectSeed> seeds{{{0, 0}, 3, 0.8}, {{5, 3}, 4, 0.7}};
  Proposals proposals{{rect_mask(4, 6, {0, 0, 6, 4}), 0.95},  // everything
                      {rect_mask(4, 6, {0, 0, 3, 4}), 0.9},   // the left half exactly
                      {rect_mask(4, 6, {3, 1, 3, 3}), 0.6},   // most of the right half
                      {rect_mask(4, 6, {4, 3, 2, 1}), 0.3}};  // below the threshold
  Rle no_region{4, 6};
};

TEST_F(OutputModes, Embedding) {
  const auto out = instances_from_embeddings(two_halves(), seeds, no_region, nullptr, {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].mask, rect_mask(4, 6, {0, 0, 3, 4}));
  EXPECT_EQ(out[1].mask, rect_mask(4, 6, {3, 0, 3, 4}));
  EXPECT_DOUBLE_EQ(out[0].score, 0.8);
  EXPECT_EQ(out[1].category, 4);
  EXPECT_EQ(out[1].point, (Point{5, 3, 4}));
  EXPECT_EQ(out[1].area, 12);
  EXPECT_EQ(out[1].bbox, (std::array<double, 4>{3, 0, 3, 4}));
}

TEST_F(OutputModes, BestDiceAndBestObjectness) {
  PredictOptions o;
  o.mode = PredictionMode::kBestDice;
  const auto dice_out = instances_from_embeddings(two_halves(), seeds, no_region, &proposals, o);
  EXPECT_EQ(dice_out[0].mask, proposals[1].mask);  // Dice 1 beats the whole image (2/3)
  EXPECT_DOUBLE_EQ(dice_out[0].score, 1.0);
  EXPECT_EQ(dice_out[1].mask, proposals[2].mask);  // 2*9/21 beats the whole image, 2*12/36
  EXPECT_NEAR(dice_out[1].score, 2.0 * 9 / 21, 1e-12);
  o.mode = PredictionMode::kBestObjectness;
  const auto obj = instances_from_embeddings(two_halves(), seeds, no_region, &proposals, o);
  EXPECT_EQ(obj[0].mask, proposals[0].mask);
  EXPECT_DOUBLE_EQ(obj[0].score, 0.95);
  EXPECT_EQ(obj[1].mask, proposals[0].mask);
  EXPECT_THROW(instances_from_embeddings(two_halves(), seeds, no_region, nullptr, o), Error);
}

TEST(PredictionModeText, RoundTripsAndRejects) {
  for (const char* m : {"embedding", "best-dice", "best-objectness"}) {
    EXPECT_EQ(to_string(parse_prediction_mode(m)), m);
  }
  EXPECT_THROW(parse_prediction_mode("dice"), Error);
}

// Two parts joined to one seed: the option keeps the part with the seed; best-dice compares
// the proposals with that part.
TEST(SeedComponent, KeepsThePartHoldingTheSeed) {
  cv::Mat labels(12, 12, CV_32S, cv::Scalar(1));  // label 1: background seeds
  labels(cv::Rect(1, 1, 3, 3)).setTo(0);          // the seed's part
  labels(cv::Rect(8, 8, 3, 3)).setTo(0);          // a far part joined to the same seed
  const std::vector<ObjectSeed> seeds{{{2, 2}, 1, 0.9}};
  PredictOptions options;
  EXPECT_EQ(instances_from_labels(labels, seeds, nullptr, options)[0].mask.area(), 18);
  options.seed_component = true;
  const Rle kept = instances_from_labels(labels, seeds, nullptr, options)[0].mask;
  EXPECT_EQ(kept.area(), 9);
  EXPECT_TRUE(kept.contains(2, 2));
  EXPECT_FALSE(kept.contains(9, 9));
  // Diagonal neighbours are connected; a mask without the pixel is returned whole.
  cv::Mat diagonal = cv::Mat::zeros(5, 5, CV_8U);
  diagonal.at<uint8_t>(1, 1) = diagonal.at<uint8_t>(2, 2) = diagonal.at<uint8_t>(4, 4) = 1;
  EXPECT_EQ(component_holding(Rle::from_mask(diagonal), {1, 1}).area(), 2);
  EXPECT_EQ(component_holding(Rle::from_mask(diagonal), {0, 3}).area(), 3);
  // best-dice: the 3 x 3 proposal matches the kept part exactly (Dice 1), not the 18 pixels.
  options.mode = PredictionMode::kBestDice;
  cv::Mat square = cv::Mat::zeros(12, 12, CV_8U);
  square(cv::Rect(1, 1, 3, 3)).setTo(1);
  const Proposals proposals{{Rle::from_mask(square), 0.9}};
  EXPECT_DOUBLE_EQ(instances_from_labels(labels, seeds, &proposals, options)[0].score, 1.0);
}

// The agreement score: S_c x the best Dice of the embedding mask with a candidate proposal of its
// seed; 0 without a candidate; an error outside the embedding mode or without proposals.
TEST(InstancesFromLabels, AgreementScoreIsSeedScoreTimesBestCandidateDice) {
  cv::Mat labels(10, 10, CV_32S, cv::Scalar(2));  // label 2: the background seed
  labels(cv::Rect(0, 0, 4, 4)).setTo(0);          // seed 0: 16 pixels
  labels(cv::Rect(6, 6, 2, 2)).setTo(1);          // seed 1: 4 pixels
  const std::vector<ObjectSeed> seeds{{{1, 1}, 1, 0.8}, {{6, 6}, 2, 0.5}};
  cv::Mat a = cv::Mat::zeros(10, 10, CV_8U), b = a.clone(), low = a.clone();
  a(cv::Rect(0, 0, 4, 2)).setTo(1);    // 8 pixels inside seed 0's mask: Dice 16 / 24
  b(cv::Rect(0, 0, 5, 4)).setTo(1);    // 20 pixels holding its 16: Dice 32 / 36
  low(cv::Rect(0, 0, 4, 4)).setTo(1);  // Dice 1, but scored under the threshold
  const Proposals proposals{{Rle::from_mask(a), 0.9}, {Rle::from_mask(b), 0.6},
                            {Rle::from_mask(low), 0.4}};
  PredictOptions options;
  options.agreement_score = true;
  const std::vector<Instance> out = instances_from_labels(labels, seeds, &proposals, options);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(out[0].score, 0.8 * 32.0 / 36.0);
  EXPECT_EQ(out[0].mask.area(), 16);  // the mask stays the embedding's
  EXPECT_DOUBLE_EQ(out[1].score, 0.0);  // no candidate holds (6, 6)
  options.agreement_score = false;
  EXPECT_DOUBLE_EQ(instances_from_labels(labels, seeds, &proposals, options)[0].score, 0.8);
  options.agreement_score = true;
  EXPECT_THROW(instances_from_labels(labels, seeds, nullptr, options), Error);
  options.mode = PredictionMode::kBestDice;
  EXPECT_THROW(instances_from_labels(labels, seeds, &proposals, options), Error);
}

}  // namespace
}  // namespace wisenet
