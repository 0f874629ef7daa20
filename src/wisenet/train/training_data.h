#pragma once
// The training set as the loop sees it: samples loaded once and kept, dataset category ids
// mapped to network channels 1..C, and the seeded order and augmentation of every step.
#include <cstdint>
#include <string>
#include <vector>

#include "wisenet/core/types.h"
#include "wisenet/data/class_map.h"
#include "wisenet/data/coco_json.h"

namespace wisenet {

class TrainingData {
 public:
  // Reads `json_path` (plus a points CSV when given); points missing on masked annotations
  // are derived with the `center` rule. Every image's size is read from its file at once
  // (match_dataset_image_sizes: a size other than the JSON's is an error, or with
  // `resize_annotations` its annotations are rescaled); pixels are loaded lazily and kept.
  TrainingData(const std::string& json_path, const std::string& points_csv,
               const std::string& image_dir, bool resize_annotations = false);

  const CocoDataset& dataset() const { return dataset_; }
  const ClassMap& classes() const { return classes_; }
  size_t size() const { return dataset_.images.size(); }

  // Sample i with point categories turned into channels (Point::category = 1..C), its
  // instances' categories too.
  const Sample& sample(size_t index);

  // The image order of `epoch`: a permutation seeded by (seed, epoch) only.
  std::vector<size_t> epoch_order(uint64_t seed, int64_t epoch) const;

 private:
  CocoDataset dataset_;
  ClassMap classes_;
  std::string image_dir_;
  std::vector<Sample> cache_;
  std::vector<bool> loaded_;
};

// Applies the seeded augmentation for (seed, epoch, image index): a horizontal flip with
// probability 1/2 when `hflip`, a rescale by a factor uniform in [1 - jitter, 1 + jitter].
Sample augment(const Sample& sample, bool hflip, double scale_jitter, uint64_t seed, int64_t epoch,
               size_t index);

}  // namespace wisenet
