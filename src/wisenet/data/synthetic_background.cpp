// Cluttered backgrounds for the synthetic dataset: enough structure (gradients, blotches,
// lines, fine gratings) that "anything not flat is an object" fails, in low saturation so
// the objects keep good contrast.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "wisenet/data/synthetic_parts.h"

namespace wisenet::synth {
namespace {

cv::Vec3f greyish(double lo, double hi, double tint, Random& random) {
  // One draw per statement: argument evaluation order is unspecified in C++, and the
  // dataset must not depend on the compiler.
  const double grey = random.uniform(lo, hi);
  cv::Vec3f colour;
  for (int k = 0; k < 3; ++k) colour[k] = static_cast<float>(grey + random.normal(0, tint));
  return colour;
}

}  // namespace

cv::Mat render_background(int size, Random& random) {
  cv::Mat canvas(size, size, CV_32FC3);
  // A linear gradient between two greyish colours in a random direction.
  const cv::Vec3f from = greyish(70, 170, 10, random), to = greyish(70, 170, 10, random);
  const double angle = random.uniform(0, 2 * kPi);
  const double gu = std::cos(angle) / size, gv = std::sin(angle) / size;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double t = std::clamp(0.5 + (x - size / 2.0) * gu + (y - size / 2.0) * gv, 0.0, 1.0);
      canvas.at<cv::Vec3f>(y, x) = from * static_cast<float>(1 - t) + to * static_cast<float>(t);
    }
  }
  // Smooth blotches: a 5x5 grid of offsets, upsampled.
  cv::Mat blotches(5, 5, CV_32FC3);
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 5; ++x) {
      const double common = random.normal(0, 14);
      for (int k = 0; k < 3; ++k) {
        blotches.at<cv::Vec3f>(y, x)[k] = static_cast<float>(common + random.normal(0, 4));
      }
    }
  }
  cv::Mat smooth;
  cv::resize(blotches, smooth, canvas.size(), 0, 0, cv::INTER_CUBIC);
  canvas += smooth;
  // Half of the images get a faint fine grating: texture that is not an object.
  if (random.chance(0.5)) {
    const double amplitude = random.uniform(4, 9), period = random.uniform(3, 7);
    const double g_angle = random.uniform(0, kPi);
    const double grating_u = std::cos(g_angle), grating_v = std::sin(g_angle);
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        const float offset = static_cast<float>(
            amplitude * std::sin(2 * kPi * (x * grating_u + y * grating_v) / period));
        canvas.at<cv::Vec3f>(y, x) += cv::Vec3f(offset, offset, offset);
      }
    }
  }
  // A few thin lines crossing the image, some dark, some light.
  const double scale = size / 128.0;
  const int lines = random.uniform_int(2, 7);
  for (int i = 0; i < lines; ++i) {
    auto end = [&] {
      const int x = static_cast<int>(random.uniform(-0.25, 1.25) * size);
      const int y = static_cast<int>(random.uniform(-0.25, 1.25) * size);
      return cv::Point(x, y);
    };
    const cv::Point a = end(), b = end();
    const cv::Vec3f colour = greyish(30, 220, 6, random);
    const int thickness =
        std::max(1, static_cast<int>(std::lround(scale * random.uniform(1, 2.5))));
    cv::line(canvas, a, b, cv::Scalar(colour[0], colour[1], colour[2]), thickness, cv::LINE_8);
  }
  return canvas;
}

}  // namespace wisenet::synth
