#pragma once
// Training augmentation: geometric transforms applied to a Sample's image, points and masks
// together, so labels stay on their pixels.
#include "wisenet/core/types.h"

namespace wisenet {

// Mirrors the sample left-right.
Sample flip_horizontal(const Sample& sample);

// The size rescale(sample, factor) gives an image of `size`: each side rounded, at least 1.
cv::Size rescaled_size(cv::Size size, double factor);

// Rescales the sample by `factor` (> 0): bilinear for the image, nearest for masks; points map
// to the pixel containing their scaled centre. Instances whose mask vanishes are dropped.
Sample rescale(const Sample& sample, double factor);

}  // namespace wisenet
