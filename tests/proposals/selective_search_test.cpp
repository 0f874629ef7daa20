#include "wisenet/proposals/selective_search.h"

#include <gtest/gtest.h>

#include "synthetic_discs.h"
#include "wisenet/core/error.h"

namespace wisenet {
namespace {

double best_iou(const Rle& truth, const Proposals& proposals) {
  double best = 0;
  for (const auto& p : proposals) best = std::max(best, mask_iou(p.mask, truth, false));
  return best;
}

class SelectiveSearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scene_ = new test::DiscScene(test::disc_scene());
    proposals_ = new Proposals(generate_proposals(scene_->image));
  }
  static void TearDownTestSuite() {
    delete scene_;
    delete proposals_;
  }
  static test::DiscScene* scene_;
  static Proposals* proposals_;
};
test::DiscScene* SelectiveSearchTest::scene_ = nullptr;
Proposals* SelectiveSearchTest::proposals_ = nullptr;

TEST_F(SelectiveSearchTest, FindsEveryDisc) {
  for (size_t i = 0; i < scene_->discs.size(); ++i) {
    EXPECT_GT(best_iou(scene_->discs[i], *proposals_), 0.8) << "disc " << i;
  }
}

TEST_F(SelectiveSearchTest, DiscsScoreAboveThresholdAndFirstChoice) {
  // The disc's best match should pass the pseudo-mask threshold of 0.5.
  for (size_t i = 0; i < scene_->discs.size(); ++i) {
    double score_of_best = -1, best = 0;
    for (const auto& p : *proposals_) {
      const double iou = mask_iou(p.mask, scene_->discs[i], false);
      if (iou > best) {
        best = iou;
        score_of_best = p.score;
      }
    }
    EXPECT_GT(score_of_best, 0.5) << "disc " << i;
  }
}

TEST_F(SelectiveSearchTest, ScoresInUnitIntervalAndSorted) {
  ASSERT_FALSE(proposals_->empty());
  for (size_t i = 0; i < proposals_->size(); ++i) {
    const double s = (*proposals_)[i].score;
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, 1.0);
    if (i > 0) {
      EXPECT_LE(s, (*proposals_)[i - 1].score);
    }
    EXPECT_GT((*proposals_)[i].mask.area(), 0);
    EXPECT_EQ((*proposals_)[i].mask.height(), scene_->image.rows);
  }
}

TEST_F(SelectiveSearchTest, NoTwoProposalsAboveDedupIou) {
  const double threshold = ProposalOptions{}.dedup_iou;
  for (size_t i = 0; i < proposals_->size(); ++i) {
    for (size_t j = i + 1; j < proposals_->size(); ++j) {
      ASSERT_LE(mask_iou((*proposals_)[i].mask, (*proposals_)[j].mask, false), threshold)
          << i << " vs " << j;
    }
  }
}

TEST_F(SelectiveSearchTest, Deterministic) {
  const Proposals again = generate_proposals(scene_->image);
  ASSERT_EQ(again.size(), proposals_->size());
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].mask, (*proposals_)[i].mask);
    EXPECT_EQ(again[i].score, (*proposals_)[i].score);
  }
}

TEST_F(SelectiveSearchTest, CapRespectedAndKeepsTheBest) {
  ProposalOptions options;
  options.max_proposals = 7;
  const Proposals capped = generate_proposals(scene_->image, options);
  ASSERT_EQ(capped.size(), 7u);
  for (size_t i = 0; i < capped.size(); ++i) EXPECT_EQ(capped[i].mask, (*proposals_)[i].mask);
}

TEST(SelectiveSearch, StricterDedupGivesFewerProposals) {
  const auto scene = test::disc_scene(96, 3);
  ProposalOptions loose, strict;
  strict.dedup_iou = 0.5;
  const Proposals a = generate_proposals(scene.image, loose);
  const Proposals b = generate_proposals(scene.image, strict);
  EXPECT_LT(b.size(), a.size());
  for (size_t i = 0; i < b.size(); ++i) {
    for (size_t j = i + 1; j < b.size(); ++j) {
      ASSERT_LE(mask_iou(b[i].mask, b[j].mask, false), 0.5);
    }
  }
}

TEST(SelectiveSearch, RejectsBadInput) {
  EXPECT_THROW(generate_proposals(cv::Mat()), Error);
  EXPECT_THROW(generate_proposals(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0))), Error);
  ProposalOptions options;
  options.color_spaces = {"xyz"};
  EXPECT_THROW(generate_proposals(cv::Mat(8, 8, CV_8UC3, cv::Scalar(0)), options), Error);
}

TEST(SelectiveSearch, UniformImageGivesNoConfidentProposal) {
  const cv::Mat flat(32, 32, CV_8UC3, cv::Scalar(90, 90, 90));
  for (const auto& p : generate_proposals(flat)) EXPECT_LE(p.score, 0.5);
}

TEST(ProposalOptions, TextIsStableAndDistinguishesOptions) {
  ProposalOptions a, b;
  EXPECT_EQ(a.to_text(), b.to_text());
  b.k_values = {50, 100};
  EXPECT_NE(a.to_text(), b.to_text());
  b = a;
  b.weight_stability = 0.25;
  EXPECT_NE(a.to_text(), b.to_text());
}

}  // namespace
}  // namespace wisenet
