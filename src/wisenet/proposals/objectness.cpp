#include "wisenet/proposals/objectness.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace wisenet {
namespace {

struct Moments {
  cv::Vec3d sum{0, 0, 0};
  cv::Vec3d squares{0, 0, 0};
  double gradient = 0;
  int64_t count = 0;
  void add(const cv::Vec3f& colour, float g) {
    for (int c = 0; c < 3; ++c) {
      sum[c] += colour[c];
      squares[c] += static_cast<double>(colour[c]) * colour[c];
    }
    gradient += g;
    ++count;
  }
  cv::Vec3d mean() const { return count ? sum / static_cast<double>(count) : cv::Vec3d(0, 0, 0); }
  double variance() const {
    if (!count) return 0;
    const cv::Vec3d m = mean();
    double v = 0;
    for (int c = 0; c < 3; ++c) v += std::max(0.0, squares[c] / count - m[c] * m[c]);
    return v;
  }
  double mean_gradient() const { return count ? gradient / count : 0; }
};

}  // namespace

ObjectnessImage objectness_image(const cv::Mat& rgb) {
  ObjectnessImage image;
  cv::Mat scaled;
  rgb.convertTo(scaled, CV_32FC3, 1.0 / 255);
  cv::cvtColor(scaled, image.lab, cv::COLOR_RGB2Lab);
  std::vector<cv::Mat> channels;
  cv::split(image.lab, channels);
  cv::Mat smooth, dx, dy;
  cv::GaussianBlur(channels[0], smooth, cv::Size(0, 0), 1.0);
  cv::Sobel(smooth, dx, CV_32F, 1, 0, 3);
  cv::Sobel(smooth, dy, CV_32F, 0, 1, 3);
  cv::magnitude(dx, dy, image.gradient);
  return image;
}

ObjectnessFeatures appearance_features(const ObjectnessImage& image, const cv::Mat& crop,
                                       const cv::Rect& roi, int ring_width) {
  const cv::Mat cross = cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3));
  const cv::Mat disc = cv::getStructuringElement(
      cv::MORPH_ELLIPSE, cv::Size(2 * ring_width + 3, 2 * ring_width + 3));
  cv::Mat inside = crop != 0;
  cv::Mat eroded, dilated, ring_outer;
  // Constant borders: outside the roi counts as "inside" for erosion, so the image border is
  // no boundary, and as "outside" for dilation, which then stops at the roi.
  cv::erode(inside, eroded, cross, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(255));
  cv::dilate(inside, dilated, cross, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::dilate(inside, ring_outer, disc, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));

  Moments in, ring, band, interior, outer;
  int64_t perimeter = 0;
  for (int y = 0; y < crop.rows; ++y) {
    const uint8_t* m = inside.ptr<uint8_t>(y);
    const uint8_t* e = eroded.ptr<uint8_t>(y);
    const uint8_t* d = dilated.ptr<uint8_t>(y);
    const uint8_t* r = ring_outer.ptr<uint8_t>(y);
    const uint8_t* below = y + 1 < crop.rows ? inside.ptr<uint8_t>(y + 1) : nullptr;
    const cv::Vec3f* colour = image.lab.ptr<cv::Vec3f>(roi.y + y) + roi.x;
    const float* g = image.gradient.ptr<float>(roi.y + y) + roi.x;
    for (int x = 0; x < crop.cols; ++x) {
      if (x + 1 < crop.cols && m[x] != m[x + 1]) ++perimeter;
      if (below && m[x] != below[x]) ++perimeter;
      if (m[x]) {
        in.add(colour[x], g[x]);
        if (e[x]) {
          interior.add(colour[x], g[x]);
        } else {
          band.add(colour[x], g[x]);
        }
      } else if (d[x]) {
        band.add(colour[x], g[x]);
        ring.add(colour[x], g[x]);
      } else if (r[x]) {
        ring.add(colour[x], g[x]);
        outer.add(colour[x], g[x]);  // the surroundings off the edge
      }
    }
  }
  ObjectnessFeatures features;
  if (ring.count > 0) {
    const cv::Vec3d diff = in.mean() - ring.mean();
    const double d2 = diff.dot(diff);
    features.color_contrast = d2 / (d2 + in.variance() + ring.variance() + 4.0);
  }
  const double g_boundary = band.mean_gradient();
  if (g_boundary > 1e-9) {
    const double g_inside = interior.count ? interior.mean_gradient() : outer.mean_gradient();
    const double g_outside = outer.count ? outer.mean_gradient() : g_inside;
    features.edge_contrast = std::max(0.0, 1.0 - (g_inside + g_outside) / (2 * g_boundary));
  }
  if (perimeter > 0) {
    features.compactness =
        std::min(1.0, 16.0 * in.count / (static_cast<double>(perimeter) * perimeter));
  } else {
    features.compactness = 1.0;  // the mask fills its whole roi: nothing says it is ragged
  }
  return features;
}

double objectness(const ObjectnessFeatures& f, const ProposalOptions& o) {
  const double total = o.weight_color_contrast + o.weight_edge_contrast + o.weight_compactness +
                       o.weight_stability;
  const double sum = o.weight_color_contrast * f.color_contrast +
                     o.weight_edge_contrast * f.edge_contrast +
                     o.weight_compactness * f.compactness + o.weight_stability * f.stability;
  return std::clamp(sum / total, 0.0, 1.0);
}

}  // namespace wisenet
