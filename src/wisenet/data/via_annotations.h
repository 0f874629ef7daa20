#pragma once
// VIA (VGG Image Annotator, versions 1 and 2) annotations: the project JSON (with
// `_via_img_metadata`) or the plain annotation JSON export (the same map at top level), and
// the CSV export (columns filename, file_size, file_attributes, region_count, region_id,
// region_shape_attributes, region_attributes; the last two hold JSON).
//
// Region shapes: "point" (cx, cy) becomes a click, "polygon" (all_points_x, all_points_y) a
// mask; rect, circle, ellipse, polyline are dropped and counted. The class is the value of the
// region attribute named by `class_attribute` (a string or number; a region without it is an
// error); with no attribute named every region is of the one class "object". VIA does not
// store image sizes, so each image file is opened (in `image_dir`, else beside the VIA file).
#include <string>

#include "wisenet/data/foreign_annotations.h"

namespace wisenet {

struct ViaReadOptions {
  std::string class_attribute;  // region attribute holding the class; "" = one class "object"
  std::string image_dir;        // where the images are; "" = the VIA file's folder
};

ForeignAnnotations read_via_json(const std::string& path, const ViaReadOptions& options = {});
ForeignAnnotations read_via_csv(const std::string& path, const ViaReadOptions& options = {});

// Size (width, height) of an image file, for readers of formats that omit it: `file_name`
// resolved in `image_dir`, else in the folder of `annotation_file`. A missing or unreadable
// file is a wisenet::Error naming `where` and the path tried.
std::pair<int, int> foreign_image_size(const std::string& file_name, const std::string& image_dir,
                                       const std::string& annotation_file,
                                       const std::string& where);

}  // namespace wisenet
