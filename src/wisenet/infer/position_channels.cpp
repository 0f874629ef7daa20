#include "wisenet/infer/position_channels.h"

#include <cmath>
#include <string>

#include "wisenet/core/error.h"

namespace wisenet {

cv::Mat with_position_channels(const cv::Mat& grid, cv::Size out_size, double weight) {
  if (grid.dims != 3 || grid.type() != CV_32F) {
    throw Error("with_position_channels: the grid must be a 3-D D x H x W CV_32F Mat");
  }
  if (out_size.empty()) throw Error("with_position_channels: empty image size");
  if (!std::isfinite(weight) || weight < 0) {
    throw Error("with_position_channels: the spatial weight must be a finite number >= 0, got " +
                std::to_string(weight));
  }
  const int dim = grid.size[0], gh = grid.size[1], gw = grid.size[2];
  // A lone node along an axis of several pixels is the same value at each: one node per pixel.
  const int nh = gh == 1 ? out_size.height : gh, nw = gw == 1 ? out_size.width : gw;
  const cv::Mat source = grid.isContinuous() ? grid : grid.clone();
  cv::Mat placed(std::vector<int>{dim + 2, nh, nw}, CV_32F);
  const float* in = source.ptr<float>();
  float* out = placed.ptr<float>();
  const size_t in_plane = static_cast<size_t>(gh) * gw, plane = static_cast<size_t>(nh) * nw;
  for (int d = 0; d < dim; ++d) {
    for (int y = 0; y < nh; ++y) {
      for (int x = 0; x < nw; ++x) {
        out[d * plane + static_cast<size_t>(y) * nw + x] =
            in[d * in_plane + static_cast<size_t>(gh == 1 ? 0 : y) * gw + (gw == 1 ? 0 : x)];
      }
    }
  }
  // Node i of n along an axis of `pixels` sits at pixel i (pixels - 1) / (n - 1).
  const double root = std::sqrt(weight);
  const auto at = [root](int i, int n, int pixels) {
    return n > 1 ? static_cast<float>(root * i * (pixels - 1) / (n - 1)) : 0.f;
  };
  float* xs = out + dim * plane;
  float* ys = xs + plane;
  for (int y = 0; y < nh; ++y) {
    for (int x = 0; x < nw; ++x) {
      xs[static_cast<size_t>(y) * nw + x] = at(x, nw, out_size.width);
      ys[static_cast<size_t>(y) * nw + x] = at(y, nh, out_size.height);
    }
  }
  return placed;
}

}  // namespace wisenet
