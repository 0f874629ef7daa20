#pragma once
// Per-object outputs of prediction, for spreadsheets and microscopy tools: one CSV row per
// object, and one 16-bit label image per input image (0 = background, k = object k).
//
// Object ids are 1, 2, ... per image in the instances' order, the same numbers in the CSV and
// the label image.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"

namespace wisenet {

// "image,object_id,class,score,seed_x,seed_y,centroid_x,centroid_y,area,bbox_x,bbox_y,bbox_w,bbox_h\n"
std::string object_table_header();
// One row per instance of one image (class = `class_names` entry of its category id, else the
// id). seed_x/y are empty for an instance without a point; the centroid is the mean of the
// mask's pixel coordinates (empty for an empty mask); area in pixels; bbox as [x, y, w, h].
std::string object_table_rows(const std::string& image, const std::vector<Instance>& instances,
                              const std::vector<std::pair<int, std::string>>& class_names);

// CV_16UC1 label image of the given size: pixel = id of the object covering it. Where masks
// overlap (proposal modes), the earlier instance keeps the pixel. More than 65535 instances
// is a wisenet::Error.
cv::Mat instance_label_image(const std::vector<Instance>& instances, int height, int width);

}  // namespace wisenet
