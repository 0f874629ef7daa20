#pragma once
// The images a command works on, given either as a COCO JSON file (with or without ground
// truth) or as a folder of image files.
#include <string>
#include <vector>

#include "wisenet/data/annotation_rescale.h"
#include "wisenet/data/coco_json.h"

namespace wisenet {

struct ImageSource {
  CocoDataset dataset;              // images (and, from a JSON file, categories and annotations)
  std::vector<std::string> paths;   // one resolved file path per dataset image
  bool has_ground_truth = false;    // a JSON file with at least one annotation
};

// `input` is a .json file (image paths resolved by the usual rule with `image_dir`) or a
// folder (every .png/.jpg/.jpeg/.tif/.tiff/.bmp file in it, sorted by name, ids 1..N; sizes
// read from the files). A JSON's image sizes are checked against the files
// (match_image_sizes with `size_mismatch`: an error, or its annotations rescaled), so the
// dataset's sizes are the images' afterwards. Errors name the path.
ImageSource open_images(const std::string& input, const std::string& image_dir,
                        const CocoReadOptions& options = {},
                        SizeMismatch size_mismatch = SizeMismatch::kError);

}  // namespace wisenet
