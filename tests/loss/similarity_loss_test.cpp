// The similarity loss L_E (wisenet.md section 5): closed-form cases, a finite-difference
// gradient check, determinism, no points and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "wisenet/core/error.h"
#include "wisenet/loss/pair_sampler.h"
#include "wisenet/loss/similarity_loss.h"

namespace wisenet {
namespace {

class SimilarityLossTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

// A mask of size h x w holding the pixels for which pred(x, y) is true.
template <typename F>
Rle mask_of(int h, int w, F pred) {
  cv::Mat m(h, w, CV_8U, cv::Scalar(0));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) m.at<uint8_t>(y, x) = pred(x, y) ? 1 : 0;
  }
  return Rle::from_mask(m);
}

const double kSameFloor = -std::log(1.0 - 1e-6);  // "same" pair at S clamped to 1 - 1e-6
const double kDifferentCeil = -std::log(1e-6);    // "different" pair at S clamped to 1 - 1e-6

// Two points with square pseudo-masks in opposite corners of a 6 x 6 image, the other two
// corners background, every embedding equal (zero).
struct EqualSquares {
  static constexpr int h = 6, w = 6;
  torch::Tensor e = torch::zeros({4, h, w}, torch::kDouble).requires_grad_();
  std::vector<Point> points{{1, 1, 1}, {4, 4, 1}};
  std::vector<Rle> masks{mask_of(h, w, [](int x, int y) { return x < 3 && y < 3; }),
                         mask_of(h, w, [](int x, int y) { return x >= 3 && y >= 3; })};
  Rle background = mask_of(h, w, [](int x, int y) { return (x < 3) != (y < 3); });
  SimilarityLossResult loss(const SimilarityOptions& o) const {
    return similarity_loss(e, points, masks, background, o, 7);
  }
};

// Every embedding equal: every S clamps to 1 - 1e-6, every background pixel goes to point 0
// (ties go to the points), so all six groups are present.
TEST_F(SimilarityLossTest, EqualEmbeddingsGiveTheClampedValues) {
  const SimilarityLossResult r = EqualSquares().loss({});
  ASSERT_TRUE(r.has_points);
  ASSERT_EQ(r.terms.size(), 6u);
  for (const char* same : {"mask", "background", "stolen_anchor"}) {
    EXPECT_NEAR(r.terms.at(same), kSameFloor / 2, 1e-12) << same;
  }
  for (const char* diff : {"points", "anchor_point", "stolen_point"}) {
    EXPECT_NEAR(r.terms.at(diff), kDifferentCeil / 2, 1e-9) << diff;
  }
  EXPECT_NEAR(r.total.item<double>(), 3 * (kSameFloor + kDifferentCeil) / 2, 1e-9);
}

// One point at (0,0) with embedding (0,0); its pseudo-mask (column 1, not the point) at (1,1);
// the background (columns 2-3) at (2,2). Whatever is drawn: mask pairs have |a-b|^2 = 2,
// background pairs 0, anchor-point pairs 8, and nothing is stolen.
struct HandMade {
  torch::Tensor e = torch::zeros({2, 3, 4}, torch::kDouble);
  std::vector<Point> points{{0, 0, 1}};
  std::vector<Rle> masks{mask_of(3, 4, [](int x, int) { return x == 1; })};
  Rle background = mask_of(3, 4, [](int x, int) { return x >= 2; });
  HandMade() {
    e.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), 1}, 1.0);
    e.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(2, 4)},
                 2.0);
  }
};

TEST_F(SimilarityLossTest, HandMadeEmbeddingExponential) {
  const HandMade m;
  const SimilarityLossResult r = similarity_loss(m.e, m.points, m.masks, m.background, {}, 3);
  ASSERT_EQ(r.terms.size(), 3u);  // one point: no "points" group; nothing stolen
  EXPECT_NEAR(r.terms.at("mask"), 1.0, 1e-12);  // -log exp(-2 / 2)
  EXPECT_NEAR(r.terms.at("background"), kSameFloor, 1e-12);
  EXPECT_NEAR(r.terms.at("anchor_point"), -std::log(1 - std::exp(-4.0)), 1e-12);
  EXPECT_NEAR(r.total.item<double>(), 1.0 + kSameFloor - std::log(1 - std::exp(-4.0)), 1e-12);
}

TEST_F(SimilarityLossTest, HandMadeEmbeddingSigmoid) {
  const HandMade m;
  SimilarityOptions o;
  o.form = SimilarityForm::kSigmoid;
  const SimilarityLossResult r = similarity_loss(m.e, m.points, m.masks, m.background, o, 3);
  EXPECT_NEAR(r.terms.at("mask"), std::log((1 + std::exp(2.0)) / 2), 1e-12);
  EXPECT_NEAR(r.terms.at("background"), kSameFloor, 1e-12);
  EXPECT_NEAR(r.terms.at("anchor_point"), -std::log(1 - 2 / (1 + std::exp(8.0))), 1e-12);
}

// Far apart embeddings clamp S at 1e-6 in both forms without overflow (sigmoid form: exp(d2)
// would overflow to inf for d2 = 1e4).
TEST_F(SimilarityLossTest, FarEmbeddingsStayFinite) {
  HandMade m;
  m.e = m.e * 100;
  m.e.requires_grad_();
  for (SimilarityForm form : {SimilarityForm::kExponential, SimilarityForm::kSigmoid}) {
    SimilarityOptions o;
    o.form = form;
    const SimilarityLossResult r = similarity_loss(m.e, m.points, m.masks, m.background, o, 3);
    EXPECT_NEAR(r.terms.at("mask"), kDifferentCeil, 1e-9);  // same pair at S = 1e-6
    r.total.backward();
    EXPECT_TRUE(torch::isfinite(m.e.grad()).all().item<bool>());
    m.e.mutable_grad().zero_();
  }
}

// Finite differences (central, step 1e-6, double) against autograd on random embeddings.
TEST_F(SimilarityLossTest, GradientMatchesFiniteDifferences) {
  torch::manual_seed(11);
  const int d = 3, h = 5, w = 5;
  const std::vector<Point> points{{1, 1, 1}, {3, 2, 1}, {2, 4, 1}};
  const std::vector<Rle> masks{mask_of(h, w, [](int x, int y) { return x < 2 && y < 3; }),
                               mask_of(h, w, [](int x, int y) { return x >= 3 && y < 3; }),
                               mask_of(h, w, [](int x, int y) { return y == 4 && x < 4; })};
  const Rle background = mask_of(h, w, [](int x, int y) { return x == 2 && y < 4; });
  SimilarityOptions o;
  o.pixels_per_point = 6;
  o.background_pixels = 5;
  for (int variant = 0; variant < 3; ++variant) {
    o.form = variant == 1 ? SimilarityForm::kSigmoid : SimilarityForm::kExponential;
    o.refine_false_negatives = variant == 2;
    const torch::Tensor e = (0.5 * torch::randn({d, h, w}, torch::kDouble)).requires_grad_();
    const SimilarityLossResult r = similarity_loss(e, points, masks, background, o, 5);
    r.total.backward();
    const torch::Tensor grad = e.grad().clone();
    EXPECT_GT(grad.abs().max().item<double>(), 1e-3);  // the check is not vacuous
    torch::Tensor x = e.detach().clone();
    auto flat = x.view({-1});
    const double step = 1e-6;
    for (int64_t k = 0; k < flat.numel(); ++k) {
      const double v = flat[k].item<double>();
      flat[k] = v + step;
      const double up = similarity_loss(x, points, masks, background, o, 5).total.item<double>();
      flat[k] = v - step;
      const double down = similarity_loss(x, points, masks, background, o, 5).total.item<double>();
      flat[k] = v;
      EXPECT_NEAR(grad.view({-1})[k].item<double>(), (up - down) / (2 * step), 1e-6) << k;
    }
  }
}

// Every embedding equal, with the false-negative refinement: ties go to point 0, so point 1's
// pseudo-mask pixels are missed and its three groups join the six.
TEST_F(SimilarityLossTest, EqualEmbeddingsMissPointOnesMask) {
  const EqualSquares squares;
  SimilarityOptions o;
  o.refine_false_negatives = true;
  const SimilarityLossResult r = squares.loss(o);
  ASSERT_EQ(r.terms.size(), 9u);
  EXPECT_NEAR(r.terms.at("missed_point"), kSameFloor / 2, 1e-12);
  EXPECT_NEAR(r.terms.at("missed_anchor"), kDifferentCeil / 2, 1e-9);
  EXPECT_NEAR(r.terms.at("missed_other"), kDifferentCeil / 2, 1e-9);
  // The groups of section 5 are drawn first, so they keep their values.
  const SimilarityLossResult plain = squares.loss({});
  for (const auto& [name, value] : plain.terms) EXPECT_EQ(r.terms.at(name), value) << name;
}

// The hand-made case with the pseudo-mask moved to (1.5, 1.5): nearer the anchors (|a-b|^2 =
// 0.5) than its point (4.5), so every mask pixel is missed.
TEST_F(SimilarityLossTest, HandMadeMissedPixels) {
  HandMade m;
  m.e.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), 1}, 1.5);
  SimilarityOptions o;
  const SimilarityLossResult off = similarity_loss(m.e, m.points, m.masks, m.background, o, 3);
  EXPECT_EQ(off.terms.count("missed_point"), 0u);
  o.refine_false_negatives = true;
  const SimilarityLossResult r = similarity_loss(m.e, m.points, m.masks, m.background, o, 3);
  ASSERT_EQ(r.terms.size(), 5u);  // one point: no "points" and no "missed_other"
  EXPECT_NEAR(r.terms.at("missed_point"), 4.5 / 2, 1e-12);  // -log exp(-4.5 / 2)
  EXPECT_NEAR(r.terms.at("missed_anchor"), -std::log(1 - std::exp(-0.5 / 2)), 1e-12);
  EXPECT_NEAR(r.total.item<double>(), off.total.item<double>() + 4.5 / 2 -
                                          std::log(1 - std::exp(-0.5 / 2)), 1e-12);
}

TEST_F(SimilarityLossTest, DeterministicForAFixedSeed) {
  torch::manual_seed(2);
  const torch::Tensor e = torch::randn({4, 8, 8});
  const std::vector<Point> points{{1, 1, 1}, {6, 6, 1}};
  const std::vector<Rle> masks{mask_of(8, 8, [](int x, int y) { return x < 4 && y < 4; }),
                               mask_of(8, 8, [](int x, int y) { return x >= 4 && y >= 4; })};
  const Rle background = mask_of(8, 8, [](int x, int y) { return (x < 4) != (y < 4); });
  const auto a = similarity_loss(e, points, masks, background, {}, 42);
  const auto b = similarity_loss(e, points, masks, background, {}, 42);
  const auto c = similarity_loss(e, points, masks, background, {}, 43);
  EXPECT_EQ(a.total.item<float>(), b.total.item<float>());
  EXPECT_EQ(a.terms, b.terms);
  EXPECT_NE(a.total.item<float>(), c.total.item<float>());
}

TEST_F(SimilarityLossTest, NoPointsGivesNoUpdate) {
  const torch::Tensor e = torch::randn({4, 8, 8}).requires_grad_();
  const auto r = similarity_loss(e, {}, {}, Rle(8, 8), {}, 1);
  EXPECT_FALSE(r.has_points);
  EXPECT_FALSE(r.total.defined());
  EXPECT_TRUE(r.terms.empty());
}

// An empty background leaves only the groups of the points.
TEST_F(SimilarityLossTest, EmptyBackgroundKeepsPointGroups) {
  const torch::Tensor e = torch::randn({4, 8, 8});
  const std::vector<Point> points{{1, 1, 1}, {6, 6, 1}};
  const std::vector<Rle> masks{mask_of(8, 8, [](int x, int) { return x < 4; }),
                               mask_of(8, 8, [](int x, int) { return x >= 4; })};
  const auto r = similarity_loss(e, points, masks, Rle(8, 8), {}, 1);
  ASSERT_EQ(r.terms.size(), 2u);
  EXPECT_TRUE(r.terms.count("mask") && r.terms.count("points"));
  EXPECT_TRUE(std::isfinite(r.total.item<double>()));
}

TEST_F(SimilarityLossTest, BadInputThrowsOneLine) {
  const torch::Tensor e = torch::randn({4, 8, 8});
  const std::vector<Point> points{{1, 1, 1}};
  const auto message = [&](const std::vector<Point>& p, const std::vector<Rle>& m, const Rle& b,
                           const torch::Tensor& t) {
    try {
      similarity_loss(t, p, m, b, {}, 1);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const std::string size = message(points, {Rle(8, 9)}, Rle(8, 8), e);
  EXPECT_NE(size.find("pseudo-mask 0 is 8x9, embeddings are 8x8"), std::string::npos) << size;
  EXPECT_NE(message(points, {Rle(8, 8)}, Rle(7, 8), e).find("background"), std::string::npos);
  EXPECT_NE(message(points, {}, Rle(8, 8), e).find("1 points but 0 pseudo-masks"),
            std::string::npos);
  EXPECT_NE(message({{8, 0, 1}}, {Rle(8, 8)}, Rle(8, 8), e).find("outside"), std::string::npos);
  EXPECT_NE(message(points, {Rle(8, 8)}, Rle(8, 8), torch::zeros({8, 8})).find("D x H x W"),
            std::string::npos);
  for (const std::string& m : {size}) EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST_F(SimilarityLossTest, NearestSeedMatchesBruteForce) {
  torch::manual_seed(4);
  const torch::Tensor e = torch::randn({5, 200});
  const torch::Tensor seeds = torch::randn({5, 7});
  const torch::Tensor got = nearest_seed(e, seeds);
  for (int64_t p = 0; p < 200; ++p) {
    const int64_t want =
        (e.select(1, p).unsqueeze(1) - seeds).pow(2).sum(0).argmin().item<int64_t>();
    EXPECT_EQ(got[p].item<int64_t>(), want) << p;
  }
}

// Pixels a hair's breadth off the bisector of two far-out seeds, where the float expansion
// |s|^2 - 2 s.e + |e|^2 cannot tell the two apart: the float screen must hand them to the
// double computation, which decides as it does for double embeddings.
TEST_F(SimilarityLossTest, NearestSeedScreeningAgreesWithDoubleOnNearTies) {
  torch::manual_seed(9);
  const int64_t dim = 16, pixels = 4000;
  const torch::Tensor centre = torch::randn({dim, 1}, torch::kDouble) * 30;
  const torch::Tensor axis = torch::randn({dim, 1}, torch::kDouble);
  const torch::Tensor unit = axis / axis.norm();
  torch::Tensor seeds = torch::cat({centre + unit, centre - unit, centre + 50 * unit}, 1);
  // Offsets along the axis from 1e-7 to 1e-1 (both signs), plus noise across it.
  const torch::Tensor along = torch::pow(10.0, torch::rand({1, pixels}, torch::kDouble) * 6 - 7) *
                              (torch::randint(0, 2, {1, pixels}, torch::kDouble) * 2 - 1);
  torch::Tensor across = torch::randn({dim, pixels}, torch::kDouble);
  across -= unit * (unit * across).sum(0, true);
  const torch::Tensor e = centre + unit * along + across;
  // The same float values on both sides, so only the arithmetic differs.
  const torch::Tensor e_float = e.to(torch::kFloat), seeds_float = seeds.to(torch::kFloat);
  const torch::Tensor screened = nearest_seed(e_float, seeds_float);
  const torch::Tensor exact = nearest_seed(e_float.to(torch::kDouble), seeds_float.to(torch::kDouble));
  EXPECT_TRUE(torch::equal(screened, exact));
  // Both seeds win somewhere: the case is a real near-tie.
  EXPECT_GT((exact == 0).sum().item<int64_t>(), 100);
  EXPECT_GT((exact == 1).sum().item<int64_t>(), 100);
  // The float expansion alone gets some of them wrong (what the screen is for).
  const torch::Tensor d2 = (seeds_float.t().pow(2).sum(1, true) + e_float.pow(2).sum(0, true)) -
                           2 * torch::mm(seeds_float.t(), e_float);
  EXPECT_GT((d2.argmin(0) != exact).sum().item<int64_t>(), 0);
}

TEST_F(SimilarityLossTest, NearestSeedTiesGoToTheLowerIndex) {
  const torch::Tensor e = torch::tensor({0.f, 1.f, 4.f, 2.f}).view({1, 4});
  // Seeds 1 and 2 are the same point; seed 0 and 3 are 2 apart around pixel value 2.
  const torch::Tensor seeds = torch::tensor({1.f, 4.f, 4.f, 3.f}).view({1, 4});
  const torch::Tensor got = nearest_seed(e, seeds);
  EXPECT_EQ(got[0].item<int64_t>(), 0);
  EXPECT_EQ(got[1].item<int64_t>(), 0);
  EXPECT_EQ(got[2].item<int64_t>(), 1);  // seeds 1 and 2 tie at distance 0
  EXPECT_EQ(got[3].item<int64_t>(), 0);  // seeds 0 and 3 tie at distance 1
}

}  // namespace
}  // namespace wisenet
