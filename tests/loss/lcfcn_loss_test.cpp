#include "wisenet/loss/lcfcn_loss.h"

#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "lcfcn_cases.h"
#include "wisenet/core/error.h"
#include "wisenet/loss/blobs.h"
#include "wisenet/loss/watershed.h"

namespace wisenet {
namespace {

double value(const at::Tensor& t) { return t.item<double>(); }

// float32 means over a few hundred pixels, summed in another order than in the authors' code:
// the largest difference seen is 1e-7 relative (about one float32 ulp); we allow 1e-6
// relative (1e-7 absolute near 0).
void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, std::max(1e-7, 1e-6 * std::abs(want))) << what;
}

TEST(LcfcnLoss, MatchesTheAuthorsCodeOnEveryCase) {
  const auto cases = test::load_lcfcn_cases();
  ASSERT_FALSE(cases.empty()) << "no cases under " << test::reference_dir();
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const at::Tensor p =
        torch::from_blob(const_cast<float*>(c.probs.ptr<float>(0)), {c.height, c.width}).clone();
    const at::Tensor s = torch::stack({1 - p, p});
    std::vector<Point> points;
    for (const auto& q : c.points) points.push_back({q.x, q.y, 1});
    const LcfcnTerms t = lcfcn_loss_from_probs(s, points);
    const std::string where = "case " + std::to_string(i);
    expect_close(value(t.image), c.terms.at("image"), where + " image");
    expect_close(value(t.point), c.terms.at("point"), where + " point");
    expect_close(value(t.split_local), c.terms.at("split_local"), where + " split_local");
    expect_close(value(t.split_global), c.terms.at("split_global"), where + " split_global");
    expect_close(value(t.false_positive), c.terms.at("fp"), where + " fp");
    expect_close(value(t.total), c.total, where + " total");
    EXPECT_EQ(value(t.background), 0.0) << where;
  }
}

// A 3-channel (C = 2) 6x9 input with: a class-1 blob holding 2 points (local and global
// split), a class-1 false positive, a class-2 false positive with no class-2 point (the
// absent-class image term) and margins wide enough that blobs keep under small changes.
at::Tensor tiny_logits() {
  torch::manual_seed(3);
  at::Tensor o = torch::zeros({3, 6, 9}, torch::kDouble);
  o[1].fill_(-2.0);
  o[2].fill_(-3.0);
  o[1].slice(0, 1, 5).slice(1, 0, 5).fill_(2.0);  // class-1 blob, rows 1-4, cols 0-4
  o[1][2][2] = 0.5;                               // a dip between the two points
  o[1].slice(0, 0, 2).slice(1, 7, 9).fill_(1.5);  // class-1 false positive
  o[2].slice(0, 4, 6).slice(1, 7, 9).fill_(2.5);  // class-2 false positive
  return o + 0.3 * torch::rand({3, 6, 9}, torch::kDouble);
}

const std::vector<Point> kTinyPoints = {{1, 2, 1}, {3, 3, 1}};

// What the loss sees without gradient: blobs and every split boundary.
std::vector<cv::Mat> structure(const at::Tensor& logits, const std::vector<Point>& points) {
  const at::Tensor s = torch::softmax(logits, 0).to(torch::kFloat).contiguous();
  std::vector<cv::Mat> maps;
  for (int64_t c = 0; c < s.size(0); ++c) {
    maps.push_back(cv::Mat(s.size(1), s.size(2), CV_32F, s[c].data_ptr<float>()).clone());
  }
  const BlobMap b = find_blobs(maps, points);
  std::vector<cv::Mat> out = {b.argmax.clone(), b.blob_index.clone()};
  std::vector<cv::Point> markers;
  for (const Point& p : points) markers.emplace_back(p.x, p.y);
  out.push_back(watershed_split(maps[1], markers));
  return out;
}

bool same(const std::vector<cv::Mat>& a, const std::vector<cv::Mat>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (cv::countNonZero(a[i] != b[i]) != 0) return false;
  }
  return true;
}

TEST(LcfcnLoss, GradientMatchesFiniteDifferences) {
  LcfcnOptions options;
  options.background_term = true;  // check every term at once
  const at::Tensor base = tiny_logits();
  at::Tensor logits = base.clone().requires_grad_(true);
  const LcfcnTerms t = lcfcn_loss_from_logits(logits, kTinyPoints, options);
  // The input exercises every term.
  for (const at::Tensor* term :
       {&t.image, &t.point, &t.split_local, &t.split_global, &t.false_positive, &t.background}) {
    EXPECT_GT(value(*term), 0.0);
  }
  t.total.backward();
  const at::Tensor grad = logits.grad();
  const auto base_structure = structure(base, kTinyPoints);

  const double eps = 1e-6;
  const at::Tensor flat = base.reshape(-1);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    at::Tensor plus = flat.clone(), minus = flat.clone();
    plus[i] += eps;
    minus[i] -= eps;
    plus = plus.reshape(base.sizes());
    minus = minus.reshape(base.sizes());
    // The finite difference is only the derivative while blobs and boundaries stay put.
    ASSERT_TRUE(same(structure(plus, kTinyPoints), base_structure)) << "element " << i;
    ASSERT_TRUE(same(structure(minus, kTinyPoints), base_structure)) << "element " << i;
    const double numeric = (value(lcfcn_loss_from_logits(plus, kTinyPoints, options).total) -
                            value(lcfcn_loss_from_logits(minus, kTinyPoints, options).total)) /
                           (2 * eps);
    // Central differences in double: error ~eps^2 + 1e-16/eps, far below 1e-7.
    EXPECT_NEAR(grad.reshape(-1)[i].item<double>(), numeric, 1e-7) << "element " << i;
  }
}

TEST(LcfcnLoss, LogitsAndProbabilitiesAgree) {
  const at::Tensor o = tiny_logits();
  LcfcnOptions options;
  options.background_term = true;
  const LcfcnTerms a = lcfcn_loss_from_logits(o, kTinyPoints, options);
  const LcfcnTerms b = lcfcn_loss_from_probs(torch::softmax(o, 0), kTinyPoints, options);
  EXPECT_NEAR(value(a.image), value(b.image), 1e-12);
  EXPECT_NEAR(value(a.point), value(b.point), 1e-12);
  EXPECT_NEAR(value(a.split_local), value(b.split_local), 1e-12);
  EXPECT_NEAR(value(a.split_global), value(b.split_global), 1e-12);
  EXPECT_NEAR(value(a.false_positive), value(b.false_positive), 1e-12);
  EXPECT_NEAR(value(a.background), value(b.background), 1e-12);
  EXPECT_NEAR(value(a.total), value(b.total), 1e-12);
}

// The logits path (one autograd node) against the probabilities path (tensor operations) on a
// larger scene with touching bumps, false positives and an absent class: same terms, same
// gradient with respect to the logits.
TEST(LcfcnLoss, FusedLogitsPathMatchesTensorOperations) {
  torch::manual_seed(5);
  const int64_t size = 64;
  const at::Tensor ys = torch::arange(size, torch::kDouble).view({size, 1});
  const at::Tensor xs = torch::arange(size, torch::kDouble).view({1, size});
  at::Tensor fg = torch::full({size, size}, -3.0, torch::kDouble);
  const std::vector<std::pair<double, double>> bumps = {
      {10, 12}, {16, 14}, {40, 40}, {45, 20}, {20, 50}, {52, 52}, {30, 30}};
  std::vector<Point> points;
  for (size_t i = 0; i < bumps.size(); ++i) {
    const auto [cx, cy] = bumps[i];
    fg = fg + 6.0 * torch::exp(-((xs - cx).pow(2) + (ys - cy).pow(2)) / 18.0);
    if (i < 5) points.push_back({static_cast<int>(cx), static_cast<int>(cy), 1});
  }
  const at::Tensor base = torch::stack({torch::zeros({size, size}, torch::kDouble), fg,
                                        -2.0 + 0.5 * torch::rand({size, size}, torch::kDouble)}) +
                          0.2 * torch::rand({3, size, size}, torch::kDouble);
  for (const bool background : {false, true}) {
    LcfcnOptions options;
    options.background_term = background;
    at::Tensor a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
    const LcfcnTerms fused = lcfcn_loss_from_logits(a, points, options);
    const LcfcnTerms ops = lcfcn_loss_from_probs(torch::softmax(b, 0), points, options);
    EXPECT_GT(value(fused.split_local), 0.0);
    EXPECT_GT(value(fused.false_positive), 0.0);
    for (const auto& [x, y] : {std::pair{&fused.image, &ops.image}, {&fused.point, &ops.point},
                               {&fused.split_local, &ops.split_local},
                               {&fused.split_global, &ops.split_global},
                               {&fused.false_positive, &ops.false_positive},
                               {&fused.background, &ops.background}, {&fused.total, &ops.total}}) {
      EXPECT_NEAR(value(*x), value(*y), 1e-9 * std::max(1.0, std::abs(value(*y))));
    }
    fused.total.backward();
    ops.total.backward();
    EXPECT_LT((a.grad() - b.grad()).abs().max().item<double>(), 1e-9);
  }
}

TEST(LcfcnLoss, TermsFollowTheirDefinitions) {
  const at::Tensor o = tiny_logits();
  const at::Tensor log_s = torch::log_softmax(o, 0);
  const LcfcnTerms t = lcfcn_loss_from_logits(o, kTinyPoints);
  // L_P is a sum over points, not a mean.
  EXPECT_NEAR(value(t.point), -value(log_s[1][2][1] + log_s[1][3][3]), 1e-12);
  // L_I: classes 0 and 1 present, class 2 absent.
  const at::Tensor s = log_s.exp();
  const double expected_image =
      -std::log(value(s[0].max())) - std::log(value(s[1].max())) - std::log(1 - value(s[2].max()));
  EXPECT_NEAR(value(t.image), expected_image, 1e-12);
  // L_F: one mean of -log S_0 per false-positive blob.
  const double fp1 = -value(log_s[0].slice(0, 0, 2).slice(1, 7, 9).mean());
  const double fp2 = -value(log_s[0].slice(0, 4, 6).slice(1, 7, 9).mean());
  EXPECT_NEAR(value(t.false_positive), fp1 + fp2, 1e-12);
  EXPECT_EQ(value(t.background), 0.0);
  EXPECT_NEAR(value(t.total),
              value(t.image + t.point + t.split_local + t.split_global + t.false_positive), 1e-12);
}

TEST(LcfcnLoss, OptionsChangeTheirTermsOnly) {
  const at::Tensor o = tiny_logits();
  const LcfcnTerms base = lcfcn_loss_from_logits(o, kTinyPoints);
  LcfcnOptions older;
  older.local_split_weight = LocalSplitWeight::kPointsPlusOne;
  older.global_split = false;
  older.background_term = true;
  const LcfcnTerms t = lcfcn_loss_from_logits(o, kTinyPoints, older);
  // One blob with n_b = 2: weight 3 instead of 1.
  EXPECT_NEAR(value(t.split_local), 3 * value(base.split_local), 1e-12);
  EXPECT_EQ(value(t.split_global), 0.0);
  const double mean_s0 = value(torch::softmax(o, 0)[0].mean());
  EXPECT_NEAR(value(t.background), -std::log(mean_s0), 1e-12);
  EXPECT_NEAR(value(t.image), value(base.image), 0.0);
}

TEST(LcfcnLoss, BatchIsTheSumOfItsImages) {
  const at::Tensor a = tiny_logits();
  const at::Tensor b = torch::flip(a, {2});
  const std::vector<Point> pb = {{4, 1, 2}};
  const LcfcnTerms ta = lcfcn_loss_from_logits(a, kTinyPoints);
  const LcfcnTerms tb = lcfcn_loss_from_logits(b, pb);
  const LcfcnTerms batch = lcfcn_loss_from_logits(torch::stack({a, b}), {kTinyPoints, pb});
  EXPECT_NEAR(value(batch.total), value(ta.total) + value(tb.total), 1e-12);
  EXPECT_NEAR(value(batch.false_positive), value(ta.false_positive + tb.false_positive), 1e-12);
  EXPECT_THROW(lcfcn_loss_from_logits(torch::stack({a, b}), kTinyPoints), Error);
}

TEST(LcfcnLoss, SaturatedProbabilitiesGiveFiniteLossAndGradient) {
  at::Tensor p = torch::zeros({5, 5});
  p.slice(0, 0, 2).fill_(1.0);  // exact 0 and 1: logs hit the -100 floor
  p = p.requires_grad_(true);
  const at::Tensor s = torch::stack({1 - p, p});
  const LcfcnTerms t = lcfcn_loss_from_probs(s, {{0, 0, 1}, {4, 0, 1}, {2, 4, 1}});
  EXPECT_TRUE(std::isfinite(value(t.total)));
  EXPECT_NEAR(value(t.point), 100.0, 1e-4);  // the point on p = 0 costs the floor, 100
  t.total.backward();
  EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
}

TEST(LcfcnLoss, RejectsBadInput) {
  const at::Tensor o = tiny_logits();
  EXPECT_THROW(lcfcn_loss_from_logits(o, {{9, 0, 1}}), Error);
  EXPECT_THROW(lcfcn_loss_from_logits(o, {{0, 0, 3}}), Error);
  EXPECT_THROW(lcfcn_loss_from_logits(o[0], kTinyPoints), Error);
  EXPECT_THROW(lcfcn_loss_from_logits(o.slice(0, 0, 1), kTinyPoints), Error);
  EXPECT_THROW(lcfcn_loss_from_logits(torch::zeros({3, 4, 4}, torch::kLong), kTinyPoints), Error);
}

}  // namespace
}  // namespace wisenet
