#pragma once
// Objectness of a candidate mask, from no trained model: how much the mask stands out from
// its surroundings, how sharp its boundary is, how compact it is and how many independent
// hierarchies found it.
#include <opencv2/core.hpp>

#include "wisenet/proposals/proposal_options.h"

namespace wisenet {

// Each term is in [0, 1].
//  color_contrast: Fisher ratio d^2 / (d^2 + var_in + var_ring + 4) of the mean Lab colour
//                  inside the mask against a ring of `ring_width` pixels around it (d is the
//                  distance of the means, var the summed per-channel variances).
//  edge_contrast:  max(0, 1 - (g_inside + g_ring) / (2 g_boundary)), g the mean gradient
//                  magnitude of L over the mask's interior, the outer ring and the one-pixel
//                  band on both sides of the boundary.
//  compactness:    min(1, 16 A / P^2) with P the 4-connected perimeter (1 for a square,
//                  pi/4 for a disc); edges on the image border do not count.
//  stability:      share of the other hierarchies that produced a near-duplicate mask.
struct ObjectnessFeatures {
  double color_contrast = 0;
  double edge_contrast = 0;
  double compactness = 0;
  double stability = 0;
};

// What the appearance terms read from an image, computed once per image.
struct ObjectnessImage {
  cv::Mat lab;       // CV_32FC3, L in [0, 100]
  cv::Mat gradient;  // CV_32F, gradient magnitude of the smoothed L channel
};
ObjectnessImage objectness_image(const cv::Mat& rgb);  // rgb: CV_8UC3

// The appearance terms (stability left 0) of the mask `crop` (CV_8U, non-zero = inside) that
// covers `roi` of the image. The roi should extend ring_width + 1 pixels beyond the mask
// where the image allows.
ObjectnessFeatures appearance_features(const ObjectnessImage& image, const cv::Mat& crop,
                                       const cv::Rect& roi, int ring_width);

// The weighted mean of the four terms with the options' weights: a score in [0, 1].
double objectness(const ObjectnessFeatures& features, const ProposalOptions& options);

}  // namespace wisenet
