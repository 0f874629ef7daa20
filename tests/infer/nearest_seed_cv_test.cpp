// The torch-free nearest-seed join and post-network steps (infer/*_cv.h) against their tensor
// versions (loss/similarity.h nearest_seed, the at::Tensor overloads): exactly equal labels and
// instances on the same floats, ties and duplicate seeds included; on an E-Net grid, the same
// labels as the double computation on the grid upsampled by libtorch in double, near-ties
// included; bad shapes are one-line errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>
#include <tuple>

#include "tensor_mat.h"
#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/infer/instance_masks.h"
#include "wisenet/infer/instances_cv.h"
#include "wisenet/infer/nearest_seed_cv.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/loss/similarity.h"

namespace wisenet {
namespace {

using test::as_mat;

// K x D rows of a D x K tensor.
cv::Mat rows_of(const torch::Tensor& seeds) {
  const torch::Tensor t = seeds.t().contiguous();
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_32F,
                 t.data_ptr<float>())
      .clone();
}

// nearest_seed on a tensor (D x P, D x K), as an H x W CV_32S map.
cv::Mat tensor_labels(const torch::Tensor& e, const torch::Tensor& seeds) {
  const int h = static_cast<int>(e.size(1)), w = static_cast<int>(e.size(2));
  const torch::Tensor owner = nearest_seed(e.reshape({e.size(0), -1}), seeds).to(torch::kInt);
  return cv::Mat(h, w, CV_32S, owner.data_ptr<int>()).clone();
}

// A D x gh x gw grid upsampled to h x w by libtorch (bilinear, align_corners) in double.
torch::Tensor upsampled_in_double(const torch::Tensor& grid, int h, int w) {
  namespace F = torch::nn::functional;
  return F::interpolate(grid.to(torch::kDouble).unsqueeze(0), F::InterpolateFuncOptions()
                                                                  .size(std::vector<int64_t>{h, w})
                                                                  .mode(torch::kBilinear)
                                                                  .align_corners(true))[0];
}

// Float seeds centre + u, centre - u and centre + 50 u (D x 3, u a unit vector) and n float
// points centre + a u + b, |a| from 1e-7 to 1e-1 of either sign, b across u: most points lie a
// hair's breadth off the bisector of the first two seeds, where float alone decides wrongly.
struct NearTies {
  torch::Tensor seeds, points;
};
NearTies near_ties(int64_t dim, int64_t n) {
  const torch::Tensor centre = torch::randn({dim, 1}, torch::kDouble) * 30;
  const torch::Tensor axis = torch::randn({dim, 1}, torch::kDouble);
  const torch::Tensor unit = axis / axis.norm();
  const torch::Tensor seeds = torch::cat({centre + unit, centre - unit, centre + 50 * unit}, 1);
  const torch::Tensor along = torch::pow(10.0, torch::rand({1, n}, torch::kDouble) * 6 - 7) *
                              (torch::randint(0, 2, {1, n}, torch::kDouble) * 2 - 1);
  torch::Tensor across = torch::randn({dim, n}, torch::kDouble);
  across -= unit * (unit * across).sum(0, true);
  return {seeds.to(torch::kFloat), (centre + unit * along + across).to(torch::kFloat)};
}

// The labels of the tensor nearest_seed in double: points D x (h w), seeds D x K.
cv::Mat double_labels(const torch::Tensor& points, const torch::Tensor& seeds, int64_t h,
                      int64_t w) {
  const torch::Tensor owner = nearest_seed(points.to(torch::kDouble), seeds.to(torch::kDouble))
                                  .to(torch::kInt)
                                  .contiguous();
  return cv::Mat(static_cast<int>(h), static_cast<int>(w), CV_32S, owner.data_ptr<int>()).clone();
}

void expect_same_labels(const cv::Mat& a, const cv::Mat& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.type(), CV_32S);
  ASSERT_EQ(b.type(), CV_32S);
  EXPECT_EQ(cv::countNonZero(a != b), 0);
}

TEST(NearestSeedCv, EqualsTheTensorVersionOnRandomEmbeddings) {
  torch::set_num_threads(2);
  cv::setNumThreads(2);
  torch::manual_seed(5);
  // (D, H, W, K): one seed, few, many (two pixel chunks in the tensor version: 2^24 / 3000 is
  // below 64 x 96), the default D of 64.
  const std::vector<std::array<int, 4>> cases = {
      {8, 37, 53, 1}, {8, 37, 53, 5}, {64, 40, 40, 200}, {4, 64, 96, 3000}, {3, 17, 29, 12}};
  for (const auto& [d, h, w, k] : cases) {
    SCOPED_TRACE(std::to_string(d) + " x " + std::to_string(h) + " x " + std::to_string(w) + ", " +
                 std::to_string(k) + " seeds");
    const torch::Tensor e = torch::randn({d, h, w}) * 3;
    torch::Tensor seeds = torch::randn({d, k}) * 3;
    // Duplicates: seed k/2 repeats seed 0, and seed k-1 (k > 2) is a pixel's own embedding.
    if (k > 2) {
      seeds.select(1, k / 2).copy_(seeds.select(1, 0));
      seeds.select(1, k - 1).copy_(e.select(1, h / 2).select(1, w / 3));
    }
    const cv::Mat got = nearest_seed(as_mat(e), rows_of(seeds));
    const cv::Mat expected = tensor_labels(e, seeds);
    expect_same_labels(got, expected);
    if (k > 2) {
      EXPECT_EQ(cv::countNonZero(got == k / 2), 0) << "a duplicate loses every tie";
    }
  }
}

// Pixels a hair's breadth off the bisector of two far-out seeds: the float screen must hand
// them to the double path, which decides as the tensor version does on double embeddings.
TEST(NearestSeedCv, NearTiesAgreeWithTheDoubleComputation) {
  torch::manual_seed(10);
  const int64_t h = 50, w = 80;
  const NearTies ties = near_ties(16, h * w);
  const torch::Tensor e = ties.points.reshape({16, h, w}).contiguous();
  const cv::Mat expected = double_labels(ties.points, ties.seeds, h, w);
  expect_same_labels(nearest_seed(as_mat(e), rows_of(ties.seeds)), expected);
  EXPECT_GT(cv::countNonZero(expected == 0), 100);
  EXPECT_GT(cv::countNonZero(expected == 1), 100);
}

// Small integers: every distance is exact in double in both versions, so ties are real ties,
// and a brute force in integers says which seed wins (the lowest index among the nearest).
TEST(NearestSeedCv, TiesGoToTheLowerIndexAsInTheTensorVersion) {
  torch::manual_seed(9);
  const int d = 2, h = 9, w = 11, k = 7;
  const torch::Tensor e = torch::randint(-2, 3, {d, h, w}).to(torch::kFloat32);
  torch::Tensor seeds = torch::randint(-2, 3, {d, k}).to(torch::kFloat32);
  seeds.select(1, 4).copy_(seeds.select(1, 1));  // a duplicate
  const cv::Mat got = nearest_seed(as_mat(e), rows_of(seeds));
  expect_same_labels(got, tensor_labels(e, seeds));
  const auto ea = e.accessor<float, 3>();
  const auto sa = seeds.accessor<float, 2>();
  int ties = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int best = -1, best_d2 = 0, nearest = 0;
      for (int j = 0; j < k; ++j) {
        int d2 = 0;
        for (int c = 0; c < d; ++c) {
          const int diff = static_cast<int>(ea[c][y][x] - sa[c][j]);
          d2 += diff * diff;
        }
        if (best < 0 || d2 < best_d2) {
          best = j;
          best_d2 = d2;
          nearest = 1;
        } else if (d2 == best_d2) {
          ++nearest;
        }
      }
      ties += nearest > 1;
      EXPECT_EQ(got.at<int>(y, x), best) << x << "," << y;
    }
  }
  EXPECT_GT(ties, 10) << "the case should hold many exact ties";
}

// The E-Net grid (stride 8 and odd sizes, a one-node axis, a one-pixel output axis) against
// the double computation on the grid upsampled by libtorch in double: the same labels.
TEST(NearestSeedCv, OnAGridEqualsTheDoubleComputationOnTheUpsampledMap) {
  cv::setNumThreads(2);
  torch::manual_seed(21);
  // (D, gh, gw, H, W, K)
  const std::vector<std::array<int, 6>> cases = {{8, 5, 7, 37, 53, 6},
                                                 {64, 8, 8, 64, 64, 40},
                                                 {3, 4, 1, 29, 9, 5},
                                                 {6, 1, 6, 1, 41, 3},
                                                 {5, 16, 12, 128, 96, 150}};
  for (const auto& [d, gh, gw, h, w, k] : cases) {
    SCOPED_TRACE(std::to_string(d) + " x " + std::to_string(gh) + " x " + std::to_string(gw) +
                 " to " + std::to_string(h) + " x " + std::to_string(w));
    const torch::Tensor grid = torch::randn({d, gh, gw}) * 3;
    const torch::Tensor full = upsampled_in_double(grid, h, w);
    // Seeds: pixels of the upsampled map (one repeated: a duplicate) and random vectors.
    torch::Tensor seeds = torch::randn({d, k}, torch::kDouble) * 3;
    for (int j = 0; j < k / 2; ++j) {
      seeds.select(1, j).copy_(full.select(1, (j * 7) % h).select(1, (j * 13) % w));
    }
    if (k > 2) seeds.select(1, k - 1).copy_(seeds.select(1, 0));
    const cv::Mat got =
        nearest_seed(as_mat(grid), rows_of(seeds.to(torch::kFloat)).clone(), cv::Size(w, h));
    const torch::Tensor seeds_float = seeds.to(torch::kFloat).to(torch::kDouble);
    const torch::Tensor owner =
        nearest_seed(full.reshape({d, -1}), seeds_float).to(torch::kInt).contiguous();
    expect_same_labels(got, cv::Mat(h, w, CV_32S, owner.data_ptr<int>()).clone());
    if (k > 2) {
      EXPECT_EQ(cv::countNonZero(got == k - 1), 0) << "a duplicate loses every tie";
    }
  }
}

// Grid nodes a hair's breadth off the bisector of two far-out seeds, so that many upsampled
// pixels are near-ties: the float screen on the interpolated products must hand them to the
// double path.
TEST(NearestSeedCv, OnAGridNearTiesAgreeWithTheDoubleComputation) {
  torch::manual_seed(22);
  const int64_t gh = 12, gw = 20, h = 89, w = 153;
  const NearTies ties = near_ties(16, gh * gw);
  const torch::Tensor grid = ties.points.reshape({16, gh, gw}).contiguous();
  const cv::Mat got = nearest_seed(as_mat(grid), rows_of(ties.seeds), cv::Size(w, h));
  const cv::Mat expected =
      double_labels(upsampled_in_double(grid, h, w).reshape({16, -1}), ties.seeds, h, w);
  expect_same_labels(got, expected);
  EXPECT_GT(cv::countNonZero(expected == 0), 1000);
  EXPECT_GT(cv::countNonZero(expected == 1), 1000);
}

// Joining on the grid gives the labels of joining on libtorch's float upsampling of it (the
// E-Net's full output): the two differ only where two seeds are within float rounding.
TEST(JoinMostSimilarSeedCv, OnTheGridEqualsTheJoinOnTheUpsampledMap) {
  torch::manual_seed(23);
  namespace F = torch::nn::functional;
  const torch::Tensor grid = torch::randn({32, 9, 13}) * 2;
  const int h = 65, w = 97;
  const torch::Tensor full = F::interpolate(grid.unsqueeze(0), F::InterpolateFuncOptions()
                                                                   .size(std::vector<int64_t>{h, w})
                                                                   .mode(torch::kBilinear)
                                                                   .align_corners(true))[0]
                                 .contiguous();
  const std::vector<cv::Point> seeds = {{0, 0},   {96, 64}, {40, 20}, {41, 20}, {7, 50},
                                        {60, 33}, {40, 20}, {88, 3},  {15, 60}, {70, 45}};
  const cv::Mat got = join_most_similar_seed(as_mat(grid), seeds, cv::Size(w, h));
  expect_same_labels(got, join_most_similar_seed(as_mat(full), seeds));
  expect_same_labels(got, join_most_similar_seed(grid, seeds, cv::Size(w, h)));
  EXPECT_EQ(got.at<int>(20, 40), 6);  // the later of two seeds on one pixel keeps it
}

// Background seeds (from object_count on) share one label: the labels of the join with every
// seed its own, background ones renamed. A flat part of the grid makes many exact ties among
// background seeds there.
TEST(JoinMostSimilarSeedCv, BackgroundSeedsShareOneLabel) {
  torch::manual_seed(24);
  using torch::indexing::Slice;
  torch::Tensor grid = torch::randn({16, 9, 13});
  grid.index_put_({Slice(), Slice(0, 4), Slice(0, 6)}, 0.5);
  const int h = 65, w = 97, objects = 4;
  const std::vector<cv::Point> seeds = {{80, 60}, {50, 30}, {90, 10}, {60, 50}, {5, 5},
                                        {10, 20}, {30, 3},  {20, 40}, {5, 5},   {70, 20}};
  cv::Mat expected = join_most_similar_seed(as_mat(grid), seeds, cv::Size(w, h));
  expected.setTo(objects, expected >= objects);
  const cv::Mat got = join_most_similar_seed(as_mat(grid), seeds, cv::Size(w, h), objects);
  expect_same_labels(got, expected);
  EXPECT_GT(cv::countNonZero(got == objects), 500);
  EXPECT_GT(cv::countNonZero(got < objects), 500);
  expect_same_labels(join_most_similar_seed(grid, seeds, cv::Size(w, h), objects), got);
}

TEST(JoinMostSimilarSeedCv, EqualsTheTensorOverload) {
  torch::manual_seed(11);
  const torch::Tensor e = torch::randn({16, 33, 47});
  // Pixels, a repeated pixel (a duplicate seed) and a pixel copied to another (equal embeddings).
  e.select(1, 20).select(1, 30).copy_(e.select(1, 3).select(1, 4));
  const std::vector<cv::Point> seeds = {{4, 3}, {10, 10}, {46, 32}, {4, 3}, {30, 20}, {0, 0}};
  const cv::Mat got = join_most_similar_seed(as_mat(e), seeds);
  expect_same_labels(got, join_most_similar_seed(e, seeds));
  EXPECT_EQ(got.at<int>(3, 4), 3);    // each seed keeps its own pixel, the later one too
  EXPECT_EQ(got.at<int>(20, 30), 4);  // and so does a seed sharing another's embedding
}

TEST(InstancesCv, EqualTheTensorOverloadsInEveryMode) {
  torch::manual_seed(13);
  const int h = 40, w = 50;
  const torch::Tensor e = torch::randn({8, h, w});
  const std::vector<ObjectSeed> seeds = {
      {{5, 5}, 3, 0.9}, {{40, 8}, 3, 0.8}, {{20, 30}, 4, 0.7}, {{45, 35}, 4, 0.6}};
  Proposals proposals;
  std::mt19937 rng(3);
  for (int i = 0; i < 12; ++i) {
    cv::Mat m(h, w, CV_8U, cv::Scalar(0));
    const int x = static_cast<int>(rng() % (w - 10)), y = static_cast<int>(rng() % (h - 10));
    m(cv::Rect(x, y, 10 + static_cast<int>(rng() % (w - x - 9)),
               10 + static_cast<int>(rng() % (h - y - 9))))
        .setTo(1);
    proposals.push_back({Rle::from_mask(m), 0.95 - 0.05 * i});
  }
  const Rle region = Rle::from_mask(cv::Mat(h, w, CV_8U, cv::Scalar(1)));
  for (PredictionMode mode :
       {PredictionMode::kEmbedding, PredictionMode::kBestDice, PredictionMode::kBestObjectness}) {
    SCOPED_TRACE(to_string(mode));
    PredictOptions o;
    o.mode = mode;
    o.background_seed = 4;
    const auto got = instances_from_embeddings(as_mat(e), seeds, region, &proposals, o);
    const auto expected = instances_from_embeddings(e, seeds, region, &proposals, o);
    ASSERT_EQ(got.size(), seeds.size());
    ASSERT_EQ(expected.size(), seeds.size());
    for (size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].mask, expected[k].mask) << k;
      EXPECT_EQ(got[k].score, expected[k].score) << k;
      EXPECT_EQ(got[k].category, expected[k].category) << k;
      EXPECT_EQ(got[k].point, expected[k].point) << k;
    }
  }
}

TEST(NearestSeedCv, BadShapesAreOneLineErrors) {
  const int sizes[] = {2, 4, 6};
  const cv::Mat e(3, sizes, CV_32F, cv::Scalar(0));
  const auto one_line = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(test::count_lines(message + "\n"), 1) << message;
  };
  one_line(test::error_of([&] { nearest_seed(cv::Mat(4, 6, CV_32F), cv::Mat(1, 2, CV_32F)); }),
           "D x H x W CV_32F");
  one_line(test::error_of([&] { nearest_seed(e, cv::Mat(1, 3, CV_32F)); }), "K x 2");
  one_line(test::error_of([&] { nearest_seed(e, cv::Mat(0, 2, CV_32F)); }), "K >= 1");
  one_line(test::error_of([&] { nearest_seed(e, cv::Mat(1, 2, CV_8U)); }), "CV_32F or CV_64F");
  one_line(test::error_of([&] { join_most_similar_seed(e, {{6, 0}}); }), "outside the 4x6");
  one_line(test::error_of([&] { join_most_similar_seed(e, {}); }), "no seeds");
  one_line(test::error_of([&] {
             join_most_similar_seed(cv::Mat(4, 6, CV_32F), {{0, 0}});
           }),
           "D x H x W");
}

}  // namespace
}  // namespace wisenet
