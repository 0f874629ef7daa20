#pragma once
// The built-in synthetic instance segmentation dataset: a few object classes, each with its
// own shape and texture, on cluttered backgrounds, with touching and occluding objects and
// unannotated distractor blobs. Small enough for a CPU FCN to learn in minutes at 128 px,
// hard enough that a model which only finds "coloured things" scores badly.
//
// Usage:
//   SynthOptions options;            // 200 images of 128x128, 3 classes, seed 0
//   options.classes = 4;
//   write_synthetic_dataset(options, "out/synth");  // out/synth/{images/, train.json, val.json}
//
// Every image depends only on (options, index): the same options give the same files byte for
// byte, whatever the thread count.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/types.h"

namespace wisenet {

// What to generate. Sizes in the descriptions are for size = 128; they scale with size.
struct SynthOptions {
  int images = 200;                   // number of images, >= 1
  int size = 128;                     // images are size x size pixels, >= 32
  int classes = 3;                    // object classes, 1..6 (see synthetic_categories)
  uint64_t seed = 0;                  // everything random derives from this
  double val_fraction = 0.2;          // share of the images (the last ones) in val.json, [0, 1)
  int max_objects = 15;               // objects per image are drawn uniformly from 0..max_objects
  int max_distractors = 4;            // unannotated distractor blobs per image, 0..max_distractors
  double min_visible_fraction = 0.3;  // an object keeps at least this share of its full area
};

// Throws wisenet::Error with a one-line message naming the bad option.
void validate_synth_options(const SynthOptions& options);

// The categories of a dataset with `classes` classes: ids 1..classes with the shape names
// "disc", "square", "triangle", "star", "ring", "cross" (in that order).
std::vector<Category> synthetic_categories(int classes);

// One generated image.
//   image: CV_8UC3, RGB, options.size x options.size.
//   instances: the annotated objects, in drawing order. Each mask is the object's visible part
//     (later objects occlude earlier ones): non-empty, pairwise disjoint, mostly one connected
//     piece, at least min_visible_fraction of the object's full area. bbox and area come from
//     the mask; point is the mask's centre pixel (PointRule::kCenter); id is 0 (the dataset
//     writer numbers them).
//   distractors: the visible parts of the distractor blobs (not objects, never annotated);
//     disjoint from every instance mask. Exposed for tests and visualisation.
struct SynthImage {
  cv::Mat image;
  std::vector<Instance> instances;
  std::vector<Rle> distractors;
};

// Image `index` (0-based) of the dataset `options` describes. Deterministic in (options,
// index). Throws wisenet::Error for invalid options.
SynthImage make_synthetic_image(const SynthOptions& options, int index);

// "synth_000012.png" for index 12: the image's file name, relative to DIR/images.
std::string synthetic_file_name(int index);

// How many of the images go to val.json: round(images * val_fraction), but at most
// images - 1 so that train.json is never empty. Validation images are the last ones.
int synthetic_val_count(const SynthOptions& options);

// What write_synthetic_dataset wrote.
struct SynthSummary {
  int train_images = 0;
  int val_images = 0;
  std::vector<int64_t> objects_per_class;  // [k] = annotated objects of category k + 1
  int64_t distractors = 0;
  std::string image_dir;   // DIR/images
  std::string train_json;  // DIR/train.json
  std::string val_json;    // DIR/val.json
};

// Called after each batch of written images with (images done, images total).
using SynthProgress = std::function<void(int done, int total)>;

// Writes the dataset to `out_dir` (created when missing): DIR/images/<synthetic_file_name>
// as PNG, then DIR/train.json and DIR/val.json (COCO instances with compressed RLE masks,
// bbox, area, iscrowd 0 and a "point" per annotation; image ids are index + 1, annotation ids
// count from 1 across both files). A train.json/val.json already in DIR is removed first and
// the JSON files are written last, each atomically, so an interrupted run never leaves a
// dataset that looks complete. Images are generated in parallel on OpenCV's threads.
// Throws wisenet::Error for invalid options or a folder or file that cannot be written.
SynthSummary write_synthetic_dataset(const SynthOptions& options, const std::string& out_dir,
                                     const SynthProgress& progress = {});

}  // namespace wisenet
