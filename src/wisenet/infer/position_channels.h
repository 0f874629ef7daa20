#pragma once
// The pixel's position as two more embedding channels, so that the nearest-seed join can
// weigh distance in the image with distance in the embedding (PredictOptions::spatial_weight):
// |e'(p) - e'(s)|^2 = |e(p) - e(s)|^2 + w |p - s|^2 when e' = (e, sqrt(w) x, sqrt(w) y).
// Usage:
//   cv::Mat placed = with_position_channels(grid, image_size, w);  // (D + 2) x gh' x gw'
//   cv::Mat labels = nearest_seed(placed, seeds_of_placed, image_size);
#include <opencv2/core.hpp>

namespace wisenet {

// grid: a 3-D D x gh x gw CV_32F Mat whose bilinear upsampling with align_corners to out_size
// gives each pixel's embedding (nearest_seed_cv.h). Returns a (D + 2) x gh x gw grid whose two
// last channels hold sqrt(weight) times the out_size pixel column and row of each node (x
// (W - 1) / (gw - 1)), so that upsampling them gives sqrt(weight) (x, y) at every pixel: the
// interpolation of a linear function is the function. An axis with one node and more than one
// pixel (where no node spacing exists) is first repeated to one node per pixel, which leaves
// e unchanged. Throws wisenet::Error for another grid, an empty out_size or a negative or
// non-finite weight.
cv::Mat with_position_channels(const cv::Mat& grid, cv::Size out_size, double weight);

}  // namespace wisenet
