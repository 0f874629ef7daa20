#pragma once
// A small test scene: coloured discs on a noisy textured background, with their true masks.
#include <cstdint>
#include <random>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/rle.h"

namespace wisenet::test {

struct DiscScene {
  cv::Mat image;            // CV_8UC3 RGB
  std::vector<Rle> discs;   // one mask per disc
  std::vector<cv::Point> centres;
};

inline DiscScene disc_scene(int size = 128, uint32_t seed = 7) {
  DiscScene scene;
  scene.image = cv::Mat(size, size, CV_8UC3);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> noise(-18, 18);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      // A striped background with pixel noise: texture the grouping has to see through.
      const int base = ((x / 6 + y / 9) % 2) ? 120 : 95;
      auto& p = scene.image.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uint8_t>(base + noise(random));
    }
  }
  const struct {
    double cx, cy, r;
    cv::Vec3b colour;
  } discs[] = {{0.25, 0.3, 0.12, {220, 40, 40}},
               {0.7, 0.28, 0.15, {40, 200, 60}},
               {0.35, 0.75, 0.1, {50, 60, 230}},
               {0.75, 0.72, 0.13, {230, 220, 50}}};
  for (const auto& d : discs) {
    const cv::Point centre(static_cast<int>(d.cx * size), static_cast<int>(d.cy * size));
    const int radius = static_cast<int>(d.r * size);
    cv::Mat mask = cv::Mat::zeros(size, size, CV_8U);
    cv::circle(mask, centre, radius, cv::Scalar(1), cv::FILLED);
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        if (!mask.at<uint8_t>(y, x)) continue;
        auto& p = scene.image.at<cv::Vec3b>(y, x);
        for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uint8_t>(d.colour[c] + noise(random) / 2);
      }
    }
    scene.discs.push_back(Rle::from_mask(mask));
    scene.centres.push_back(centre);
  }
  return scene;
}

}  // namespace wisenet::test
