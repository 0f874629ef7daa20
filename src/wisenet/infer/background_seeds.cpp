#include "wisenet/infer/background_seeds.h"

#include "wisenet/core/error.h"
#include "wisenet/loss/pair_sampler.h"

namespace wisenet {

std::vector<int> seed_candidates(const cv::Point& seed, const Proposals& proposals,
                                 double score_threshold) {
  std::vector<int> out;
  for (size_t i = 0; i < proposals.size(); ++i) {
    if (proposals[i].score > score_threshold && proposals[i].mask.contains(seed.x, seed.y)) {
      out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

Rle background_seed_region(const std::vector<cv::Point>& object_seeds, const Proposals& proposals,
                           double score_threshold, int height, int width, const cv::Mat& allowed) {
  cv::Mat region;
  if (allowed.empty()) {
    region = cv::Mat(height, width, CV_8U, cv::Scalar(1));
  } else {
    if (allowed.rows != height || allowed.cols != width || allowed.type() != CV_8U) {
      throw Error("background_seed_region: the allowed mask must be an " +
                  std::to_string(height) + "x" + std::to_string(width) + " CV_8U mask");
    }
    region = allowed != 0;
  }
  std::vector<bool> covered(proposals.size(), false);
  for (const cv::Point& s : object_seeds) {
    for (int i : seed_candidates(s, proposals, score_threshold)) covered[i] = true;
  }
  for (size_t i = 0; i < proposals.size(); ++i) {
    if (!covered[i]) continue;
    if (proposals[i].mask.height() != height || proposals[i].mask.width() != width) {
      throw Error("background_seed_region: proposal " + std::to_string(i) +
                  " does not have the image's size");
    }
    region.setTo(0, proposals[i].mask.to_mask());
  }
  for (const cv::Point& s : object_seeds) {
    if (s.x >= 0 && s.y >= 0 && s.x < width && s.y < height) region.at<uint8_t>(s) = 0;
  }
  return Rle::from_mask(region);
}

std::vector<cv::Point> background_seeds(const Rle& region, int count, uint64_t seed) {
  PixelSampler sampler(seed);
  std::vector<cv::Point> out;
  const int64_t w = region.width();
  for (int64_t p : sampler.draw(mask_pixels(region), count)) {
    out.emplace_back(static_cast<int>(p % w), static_cast<int>(p / w));
  }
  return out;
}

}  // namespace wisenet
