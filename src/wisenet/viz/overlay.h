#pragma once
// Instances drawn over their image: translucent coloured masks, outlines, seeds and labels.
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"

namespace wisenet {

struct OverlayOptions {
  double alpha = 0.45;     // mask opacity: pixel = (1 - alpha) * image + alpha * colour
  bool outlines = true;    // 1-pixel outline of each mask, in a darker shade of its colour
  bool points = true;      // each instance's point (seed) as a cross
  bool labels = true;      // "<class name> <score>" above each mask's box
  std::map<int, std::string> category_names;  // category id -> name (missing: the id)
};

// The colour of instance `index`: hues spread by the golden ratio, so neighbours in the list
// get clearly different colours. RGB, each channel in [40, 255].
cv::Vec3b instance_colour(int index);

// Returns a new RGB CV_8UC3 image (`rgb` is CV_8UC3 or CV_8UC1 grey, not changed): every
// instance's mask pixels blended with its colour; pixels outside every mask, outline, cross
// and label keep their value. Masks must have the image's size (wisenet::Error otherwise).
cv::Mat draw_overlay(const cv::Mat& rgb, const std::vector<Instance>& instances,
                     const OverlayOptions& options = {});

}  // namespace wisenet
