#include "wisenet/eval/detection_counts.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "wisenet/core/error.h"

namespace wisenet {

namespace {

// The detection's point; without one, the pixel at the centre of its box, inside the image.
Point located_at(const Instance& d, const ImageInfo& image) {
  if (d.point) return *d.point;
  const auto clamp = [](double v, int n) {
    return std::clamp(static_cast<int>(std::floor(v)), 0, std::max(n - 1, 0));
  };
  return {clamp(d.bbox[0] + d.bbox[2] / 2, image.width),
          clamp(d.bbox[1] + d.bbox[3] / 2, image.height), d.category};
}

}  // namespace

CountErrors detection_count_errors(const CocoDataset& ground_truth,
                                   const std::vector<Detection>& detections, int max_level) {
  const std::string source = ground_truth.source.empty() ? "ground truth" : ground_truth.source;
  // (image index, category) -> the predicted and the true points.
  std::map<std::pair<size_t, int>, CountingImage> cells;
  for (size_t i = 0; i < ground_truth.images.size(); ++i) {
    for (const Category& c : ground_truth.categories) {
      CountingImage& im = cells[{i, c.id}];
      im.width = ground_truth.images[i].width;
      im.height = ground_truth.images[i].height;
    }
  }
  for (const Annotation& a : ground_truth.annotations) {
    if (a.instance.iscrowd) continue;
    if (!a.instance.point) {
      throw Error(source, "an object of image " + std::to_string(a.image_id) +
                              " has no point to count it by");
    }
    cells.at({ground_truth.image_index(a.image_id), a.instance.category})
        .truth.push_back(*a.instance.point);
  }
  for (const Detection& d : detections) {
    const size_t i = ground_truth.image_index(d.image_id);
    const auto cell = cells.find({i, d.instance.category});
    if (cell == cells.end()) {
      throw Error(source, "a detection names category " + std::to_string(d.instance.category) +
                              ", which the ground truth does not have");
    }
    cell->second.predicted.push_back(located_at(d.instance, ground_truth.images[i]));
  }
  std::vector<CountingImage> images;
  images.reserve(cells.size());
  for (auto& [key, im] : cells) images.push_back(std::move(im));
  return count_errors(images, max_level);
}

}  // namespace wisenet
