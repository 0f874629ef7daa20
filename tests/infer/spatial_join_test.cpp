// The join's spatial weight (PredictOptions::spatial_weight): the position channels upsample to
// the pixels' positions; pixels that join object seeds are split among them by embedding plus
// weighted image distance, by hand and against the double computation on the upsampled map;
// background pixels stay background; bad weights are one-line errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor_mat.h"
#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/infer/instance_masks_cv.h"
#include "wisenet/infer/nearest_seed_cv.h"
#include "wisenet/infer/position_channels.h"

namespace wisenet {
namespace {

using test::as_mat;

// Every pixel of the placed grid's upsampling: the embedding channels as the grid's own, then
// sqrt(w) x and sqrt(w) y. Odd sizes, a one-node axis of many pixels, a one-pixel axis.
TEST(PositionChannels, UpsampleToTheEmbeddingAndThePixelPosition) {
  torch::manual_seed(31);
  // (D, gh, gw, H, W)
  const std::vector<std::array<int, 5>> cases = {
      {3, 5, 7, 37, 53}, {2, 4, 1, 29, 9}, {4, 1, 6, 1, 41}, {2, 6, 6, 6, 6}};
  const double weight = 0.7;
  for (const auto& [d, gh, gw, h, w] : cases) {
    SCOPED_TRACE(std::to_string(gh) + "x" + std::to_string(gw) + " to " + std::to_string(h) + "x" +
                 std::to_string(w));
    const torch::Tensor grid = torch::randn({d, gh, gw}) * 3;
    const cv::Mat g = as_mat(grid);
    const cv::Mat placed = with_position_channels(g, cv::Size(w, h), weight);
    ASSERT_EQ(placed.size[0], d + 2);
    std::vector<double> plain(d), with(d + 2);
    double worst = 0;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        interpolate_embedding(g, cv::Size(w, h), {x, y}, plain.data());
        interpolate_embedding(placed, cv::Size(w, h), {x, y}, with.data());
        for (int k = 0; k < d; ++k) worst = std::max(worst, std::abs(with[k] - plain[k]));
        worst = std::max(worst, std::abs(with[d] - std::sqrt(weight) * x) / (1 + x));
        worst = std::max(worst, std::abs(with[d + 1] - std::sqrt(weight) * y) / (1 + y));
      }
    }
    EXPECT_LT(worst, 1e-5);
  }
}

// A 6 x 12 map, D = 2: a strip (rows 2-3) of one embedding, two object seeds at its ends, the
// rest background with a background seed. Without the weight every strip pixel ties and goes
// to the lower seed; with it the strip is split halfway between the seeds (columns 0-5 and
// 6-11), and no pixel changes between background and object.
TEST(JoinMostSimilarSeed, SpatialWeightSplitsLookalikesHalfwayBetweenTheirSeeds) {
  torch::Tensor e = torch::zeros({2, 6, 12});
  e.select(0, 1).fill_(5);
  e.index_put_({torch::indexing::Slice(), torch::indexing::Slice(2, 4)}, 0);
  e.select(0, 0).index_put_({torch::indexing::Slice(2, 4)}, 1);
  const std::vector<cv::Point> seeds = {{1, 2}, {10, 2}, {5, 0}};
  const cv::Mat plain = join_most_similar_seed(as_mat(e), seeds, {}, 2);
  EXPECT_EQ(cv::countNonZero(plain == 1), 1);  // seed 1 keeps only its own pixel
  EXPECT_EQ(cv::countNonZero(plain == 0), 23);
  for (double weight : {0.01, 1.0, 100.0}) {
    SCOPED_TRACE(weight);
    const cv::Mat split = join_most_similar_seed(as_mat(e), seeds, {}, 2, weight);
    for (int y = 0; y < 6; ++y) {
      for (int x = 0; x < 12; ++x) {
        const int expected = y == 2 || y == 3 ? (x <= 5 ? 0 : 1) : 2;
        EXPECT_EQ(split.at<int>(y, x), expected) << x << "," << y;
      }
    }
  }
  // One object seed: nothing to split.
  const cv::Mat one = join_most_similar_seed(as_mat(e), {{1, 2}, {5, 0}}, {}, 1, 1.0);
  EXPECT_EQ(cv::countNonZero(one == 0), 24);
}

// On an E-Net-like grid with many object and background seeds: the labels of the two-step rule
// computed in double on libtorch's double upsampling of the grid, away from near-ties.
TEST(JoinMostSimilarSeed, SpatialWeightEqualsTheDoubleComputation) {
  torch::manual_seed(32);
  namespace F = torch::nn::functional;
  const int d = 8, gh = 9, gw = 13, h = 65, w = 97, objects = 6;
  const double weight = 0.3;
  const torch::Tensor grid = torch::randn({d, gh, gw});
  const torch::Tensor full =
      F::interpolate(grid.to(torch::kDouble).unsqueeze(0), F::InterpolateFuncOptions()
                                                               .size(std::vector<int64_t>{h, w})
                                                               .mode(torch::kBilinear)
                                                               .align_corners(true))[0]
          .contiguous();
  const std::vector<cv::Point> seeds = {{10, 10}, {30, 12}, {50, 40}, {80, 20}, {90, 60},
                                        {5, 55},  {40, 30}, {70, 5},  {20, 40}, {60, 60}};
  const cv::Mat got = join_most_similar_seed(as_mat(grid), seeds, cv::Size(w, h), objects, weight);
  const auto acc = full.accessor<double, 3>();
  const auto embedding_d2 = [&](int y, int x, const cv::Point& s) {
    double sum = 0;
    for (int k = 0; k < d; ++k) sum += std::pow(acc[k][y][x] - acc[k][s.y][s.x], 2);
    return sum;
  };
  int checked = 0, moved = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      // Step 1: the most similar of all seeds; background seeds share the label `objects`.
      double best = std::numeric_limits<double>::infinity(), second = best;
      int owner = 0;
      for (int k = 0; k < static_cast<int>(seeds.size()); ++k) {
        const double v = embedding_d2(y, x, seeds[k]);
        if (v < best) {
          second = best, best = v, owner = k;
        } else if (v < second) {
          second = v;
        }
      }
      if (second - best < 1e-6) continue;
      if (owner >= objects) {
        EXPECT_EQ(got.at<int>(y, x), objects) << x << "," << y;
        ++checked;
        continue;
      }
      // Step 2: among the object seeds, embedding plus weighted image distance.
      double best2 = std::numeric_limits<double>::infinity(), second2 = best2;
      int split = 0;
      for (int k = 0; k < objects; ++k) {
        const double v = embedding_d2(y, x, seeds[k]) +
                         weight * (std::pow(x - seeds[k].x, 2) + std::pow(y - seeds[k].y, 2));
        if (v < best2) {
          second2 = best2, best2 = v, split = k;
        } else if (v < second2) {
          second2 = v;
        }
      }
      if (second2 - best2 < 1e-4) continue;
      EXPECT_EQ(got.at<int>(y, x), split) << x << "," << y;
      ++checked;
      moved += split != owner;
    }
  }
  EXPECT_GT(checked, h * w * 9 / 10);
  EXPECT_GT(moved, 300) << "the weight should move many pixels between objects";
}

TEST(JoinMostSimilarSeed, BadSpatialWeightsAreOneLineErrors) {
  const torch::Tensor e = torch::zeros({2, 4, 6});
  for (double weight : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    const std::string message = test::error_of([&] {
      join_most_similar_seed(as_mat(e), {{0, 0}, {5, 3}}, {}, 2, weight);
    });
    EXPECT_NE(message.find("spatial weight"), std::string::npos) << message;
    EXPECT_EQ(test::count_lines(message + "\n"), 1) << message;
  }
  const std::string message =
      test::error_of([&] { with_position_channels(as_mat(e), cv::Size(6, 4), -2); });
  EXPECT_NE(message.find("spatial weight"), std::string::npos) << message;
}

}  // namespace
}  // namespace wisenet
