#pragma once
// Annotations made on an image of another size than the file now on disk (a dataset whose
// images were downscaled after annotating, a JSON with a wrong width/height): every command
// that reads annotations beside images matches the sizes here, in one place. By default a
// difference is an error naming the image, its real size and the annotated size;
// `--resize-annotations` scales the annotations to the image instead.
#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"
#include "wisenet/data/coco_json.h"

namespace wisenet {

// Maps a pixel of an image of size `from` to the pixel of the `to`-sized image holding its
// scaled centre: x' = floor((x + 0.5) * to.width / from.width), clamped inside `to`.
// The same rule as the training rescale (transforms.h).
Point rescale_point(const Point& point, cv::Size from, cv::Size to);

// `instance` annotated on an image of size `from`, scaled to `to`: its mask resized by nearest
// neighbour (pixel centres aligned, cv::INTER_NEAREST_EXACT), its point by rescale_point, its
// bbox and area by the scale factors (the dataset's own values stay the dataset's, scaled; a
// mask may vanish when shrunk, the annotation and its point stay). Requires positive sizes and
// a mask, when present, of size `from`; throws wisenet::Error otherwise.
Instance rescale_instance(const Instance& instance, cv::Size from, cv::Size to);

// Scales every annotation of dataset image `image_index` from the size its ImageInfo gives to
// `to`, and sets that ImageInfo's size to `to`.
void rescale_annotations(CocoDataset& dataset, size_t image_index, cv::Size to);

enum class SizeMismatch {
  kError,    // an image whose size differs from the annotated size is a wisenet::Error
  kRescale,  // its annotations are rescaled to the image (--resize-annotations)
};

// Reads the real size of the first paths.size() images of `dataset` (paths[i] is image i's
// file; at most one path per image; sizes from the file header where the format allows, see
// read_image_size) and compares it with the size the dataset gives. With kError a difference throws
//   "<image path>: image is 48x48 but <dataset.source> gives 64x64 (...)";
// with kRescale the image's annotations are rescaled (rescale_annotations) and a note saying
// how many images were rescaled goes to stderr. Returns the number of images rescaled.
// Unreadable images are errors as in load_image.
size_t match_image_sizes(CocoDataset& dataset, const std::vector<std::string>& paths,
                         SizeMismatch policy);

// match_image_sizes for every image, each path resolved by the usual rule (dataset.h) with
// `image_dir` ("" = beside the dataset's JSON, or in its images/ subfolder).
size_t match_dataset_image_sizes(CocoDataset& dataset, const std::string& image_dir,
                                 SizeMismatch policy);

}  // namespace wisenet
