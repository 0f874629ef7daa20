#pragma once
// Counting metrics of LCFCN: MAE, RMSE and GAME(L) (Guerrero-Gomez-Olmedo et al. 2015),
// objects located by their points.
//
// GAME(L) splits each image into a 2^L x 2^L grid and sums, over the cells, |predicted count
// - true count| of the points in the cell; GAME(0) is the absolute count error. Cell
// boundaries along an axis of length n are b_j = floor(j * n / 2^L), j = 0..2^L, i.e.
// np.linspace(0, n, 2^L + 1).astype(int) (exact, since n / 2^L is a binary fraction); a
// point at x lies in cell j when b_j <= x < b_{j+1}. Unlike LCFCN's compute_game, which uses
// cells of n // 2^L pixels and drops the remainder rows and columns, every pixel belongs to
// a cell; the two agree whenever 2^L divides the image size.
#include <vector>

#include "wisenet/core/types.h"

namespace wisenet {

// One image: its size and the points of the predicted and of the true objects (one class, or
// all classes pooled: the caller decides; Point::category is not used).
struct CountingImage {
  int width = 0;
  int height = 0;
  std::vector<Point> predicted;
  std::vector<Point> truth;
};

// Averages over the images (all zero for no images).
struct CountErrors {
  int images = 0;
  double mae = 0;            // mean |predicted - true| count
  double rmse = 0;           // sqrt(mean squared count error)
  double mean_count = 0;     // mean true count
  std::vector<double> game;  // game[L] for L = 0..max_level; game[0] == mae
};

// Cell index along one axis of length n cut into `cells` parts: the j with b_j <= v < b_{j+1}.
int game_cell(int v, int n, int cells);

// GAME(level) of one image. Throws wisenet::Error when the size is not positive, a point lies
// outside the image, or level is outside 0..15.
double game_for_image(const CountingImage& image, int level);

// MAE, RMSE, mean true count and GAME(0..max_level) over `images`; errors as game_for_image,
// naming the image's index.
CountErrors count_errors(const std::vector<CountingImage>& images, int max_level = 3);

}  // namespace wisenet
