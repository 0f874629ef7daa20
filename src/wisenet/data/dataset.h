#pragma once
// From a COCO dataset on disk to Samples: image path resolution and loading.
#include <string>

#include "wisenet/data/coco_json.h"

namespace wisenet {

// Where an image of `dataset` lives. The rule, the same in every command: `image_dir` when
// given; else the folder of the dataset's JSON file; else its `images/` subfolder (the first
// that holds the file; when none does, an error lists the places tried).
std::string resolve_image_path(const CocoDataset& dataset, const ImageInfo& image,
                               const std::string& image_dir);

// Loads image `index` of `dataset` as a Sample: RGB pixels, its points (annotations' points)
// and its ground-truth instances (annotations with masks). An image whose size differs from
// the size the JSON gives is an error naming both (match_image_sizes in annotation_rescale.h
// checks, or rescales, every image of a dataset up front).
Sample load_sample(const CocoDataset& dataset, size_t index, const std::string& image_dir);

}  // namespace wisenet
