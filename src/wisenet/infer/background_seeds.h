#pragma once
// Background seeds for prediction (wisenet.md section 6, step 2): pixels drawn with a fixed
// seed from the region that no candidate proposal of any object seed covers.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"
#include "wisenet/proposals/proposal.h"

namespace wisenet {

// The candidates of a seed: indices of the proposals with score > score_threshold whose mask
// contains the seed pixel, in list order (highest score first for a sorted list).
std::vector<int> seed_candidates(const cv::Point& seed, const Proposals& proposals,
                                 double score_threshold);

// Pixels of `allowed` (an H x W CV_8U mask, non-zero = allowed; empty Mat = everything) that
// no candidate proposal of any seed covers and that are not a seed pixel.
Rle background_seed_region(const std::vector<cv::Point>& object_seeds, const Proposals& proposals,
                           double score_threshold, int height, int width,
                           const cv::Mat& allowed = cv::Mat());

// `count` pixels drawn uniformly with replacement from `region` with PixelSampler(seed)
// (deterministic); none when the region is empty or count <= 0.
std::vector<cv::Point> background_seeds(const Rle& region, int count, uint64_t seed);

}  // namespace wisenet
