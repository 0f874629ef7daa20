// Counting metrics: MAE, RMSE and GAME on points placed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "wisenet/core/error.h"
#include "wisenet/eval/counting.h"

namespace wisenet {
namespace {

Point pt(int x, int y) { return Point{x, y, 1}; }

TEST(Counting, MaeAndRmseOverImages) {
  std::vector<CountingImage> images(2);
  images[0] = {10, 10, {pt(1, 1), pt(2, 2), pt(3, 3)}, {pt(1, 1)}};  // error +2
  images[1] = {10, 10, {}, {pt(5, 5)}};                              // error -1
  const CountErrors e = count_errors(images, 2);
  EXPECT_EQ(e.images, 2);
  EXPECT_DOUBLE_EQ(e.mae, 1.5);
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(e.mean_count, 1.0);
  ASSERT_EQ(e.game.size(), 3u);
  EXPECT_DOUBLE_EQ(e.game[0], e.mae);
}

// Right count, wrong place: GAME(0) is 0 but the grid sees the displacement.
TEST(Counting, GameSeesMisplacedObjects) {
  CountingImage im{8, 8, {pt(0, 0)}, {pt(7, 7)}};
  EXPECT_DOUBLE_EQ(game_for_image(im, 0), 0.0);
  EXPECT_DOUBLE_EQ(game_for_image(im, 1), 2.0);
  EXPECT_DOUBLE_EQ(game_for_image(im, 3), 2.0);
  // Same quadrant at level 1 (both in the top-left 4x4), different cells at level 2.
  CountingImage near{8, 8, {pt(0, 0)}, {pt(3, 3)}};
  EXPECT_DOUBLE_EQ(game_for_image(near, 1), 0.0);
  EXPECT_DOUBLE_EQ(game_for_image(near, 2), 2.0);
}

// Boundaries floor(j * n / 2^L): width 5 at level 1 splits at 2 (np.linspace(0, 5, 3) ->
// [0, 2.5, 5] -> [0, 2, 5]), so x = 1 and x = 2 fall in different cells, x = 2..4 together.
TEST(Counting, CellBoundariesFollowLinspaceFloor) {
  EXPECT_EQ(game_cell(1, 5, 2), 0);
  EXPECT_EQ(game_cell(2, 5, 2), 1);
  EXPECT_EQ(game_cell(4, 5, 2), 1);
  // Width 10 at level 2: boundaries 0, 2, 5, 7, 10.
  const int expected[10] = {0, 0, 1, 1, 1, 2, 2, 3, 3, 3};
  for (int x = 0; x < 10; ++x) EXPECT_EQ(game_cell(x, 10, 4), expected[x]) << x;
  // More cells than pixels: every pixel still maps into range.
  for (int x = 0; x < 3; ++x) {
    const int c = game_cell(x, 3, 8);
    EXPECT_GE(c, 0);
    EXPECT_LT(c, 8);
  }
  CountingImage im{5, 1, {pt(1, 0)}, {pt(2, 0)}};
  EXPECT_DOUBLE_EQ(game_for_image(im, 1), 2.0);
}

// A brute-force GAME (cell of every pixel from the boundaries) agrees on random points.
TEST(Counting, GameMatchesBruteForce) {
  uint64_t state = 12345;
  auto next = [&](int n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<uint64_t>(n));
  };
  for (int trial = 0; trial < 50; ++trial) {
    CountingImage im;
    im.width = 1 + next(40);
    im.height = 1 + next(40);
    for (int i = next(15); i > 0; --i) im.predicted.push_back(pt(next(im.width), next(im.height)));
    for (int i = next(15); i > 0; --i) im.truth.push_back(pt(next(im.width), next(im.height)));
    for (int L = 0; L <= 3; ++L) {
      const int cells = 1 << L;
      double total = 0;
      for (int r = 0; r < cells; ++r) {
        for (int c = 0; c < cells; ++c) {
          const int y0 = r * im.height / cells, y1 = (r + 1) * im.height / cells;
          const int x0 = c * im.width / cells, x1 = (c + 1) * im.width / cells;
          auto in = [&](const Point& p) { return p.x >= x0 && p.x < x1 && p.y >= y0 && p.y < y1; };
          int diff = 0;
          for (const auto& p : im.predicted) diff += in(p);
          for (const auto& p : im.truth) diff -= in(p);
          total += std::abs(diff);
        }
      }
      EXPECT_DOUBLE_EQ(game_for_image(im, L), total) << "trial " << trial << " L " << L;
    }
  }
}

TEST(Counting, EmptyListGivesZeros) {
  const CountErrors e = count_errors({}, 3);
  EXPECT_EQ(e.images, 0);
  EXPECT_EQ(e.mae, 0.0);
  ASSERT_EQ(e.game.size(), 4u);
}

TEST(Counting, RejectsBadInput) {
  CountingImage outside{10, 10, {pt(10, 0)}, {}};
  EXPECT_THROW(game_for_image(outside, 1), Error);
  EXPECT_THROW(count_errors({outside}), Error);
  CountingImage empty_size{0, 10, {}, {}};
  EXPECT_THROW(count_errors({empty_size}), Error);
  EXPECT_THROW(count_errors({}, -1), Error);
}

}  // namespace
}  // namespace wisenet
