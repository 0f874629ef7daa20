#include "wisenet/train/training_data.h"

#include <algorithm>
#include <random>

#include "wisenet/core/error.h"
#include "wisenet/data/annotation_rescale.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/points_csv.h"
#include "wisenet/data/transforms.h"

namespace wisenet {

TrainingData::TrainingData(const std::string& json_path, const std::string& points_csv,
                           const std::string& image_dir, bool resize_annotations)
    : image_dir_(image_dir) {
  CocoReadOptions options;
  options.point_rule = PointRule::kCenter;
  dataset_ = read_coco(json_path, options);
  if (!points_csv.empty()) read_points_csv(points_csv, dataset_);
  if (dataset_.images.empty()) throw Error(json_path, "the dataset has no images");
  match_dataset_image_sizes(dataset_, image_dir,
                            resize_annotations ? SizeMismatch::kRescale : SizeMismatch::kError);
  classes_ = class_map_of(dataset_);
  cache_.resize(dataset_.images.size());
  loaded_.assign(dataset_.images.size(), false);
}

const Sample& TrainingData::sample(size_t index) {
  if (!loaded_.at(index)) {
    Sample s = load_sample(dataset_, index, image_dir_);
    for (auto& p : s.points) p.category = classes_.channel_of(p.category);
    for (auto& inst : s.instances) {
      inst.category = classes_.channel_of(inst.category);
      if (inst.point) inst.point->category = inst.category;
    }
    cache_[index] = std::move(s);
    loaded_[index] = true;
  }
  return cache_[index];
}

std::vector<size_t> TrainingData::epoch_order(uint64_t seed, int64_t epoch) const {
  std::vector<size_t> order(size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch) + 1);
  // Fisher-Yates with our own index draw, so the order does not depend on the standard
  // library's distribution implementation.
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

Sample augment(const Sample& sample, bool hflip, double scale_jitter, uint64_t seed, int64_t epoch,
               size_t index) {
  if (!hflip && scale_jitter <= 0) return sample;
  std::mt19937_64 rng((seed + 17) * 0xBF58476D1CE4E5B9ull ^
                      (static_cast<uint64_t>(epoch) << 32) ^ index);
  Sample out = sample;
  if (hflip && (rng() & 1)) out = flip_horizontal(out);
  if (scale_jitter > 0) {
    const double u = static_cast<double>(rng() >> 11) / 9007199254740992.0;  // [0, 1)
    const double factor = 1.0 - scale_jitter + 2.0 * scale_jitter * u;
    out = rescale(out, factor);
  }
  return out;
}

}  // namespace wisenet
