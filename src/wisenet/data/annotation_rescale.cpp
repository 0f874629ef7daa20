#include "wisenet/data/annotation_rescale.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <opencv2/imgproc.hpp>
#include <unordered_map>

#include "wisenet/core/error.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/image_io.h"

namespace wisenet {

namespace {

std::string size_text(int width, int height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

void check_sizes(cv::Size from, cv::Size to) {
  if (from.width <= 0 || from.height <= 0 || to.width <= 0 || to.height <= 0) {
    throw Error("rescale annotations: sizes must be positive, got " +
                size_text(from.width, from.height) + " to " + size_text(to.width, to.height));
  }
}

// Scales the annotations of the images marked in `target` (image index -> new size) in one
// pass over the annotations, then the images' sizes.
void rescale_images(CocoDataset& dataset, const std::unordered_map<size_t, cv::Size>& target) {
  if (target.empty()) return;
  std::unordered_map<int64_t, size_t> index;
  for (size_t i = 0; i < dataset.images.size(); ++i) index[dataset.images[i].id] = i;
  for (auto& a : dataset.annotations) {
    const auto image = index.find(a.image_id);
    if (image == index.end()) continue;
    const auto to = target.find(image->second);
    if (to == target.end()) continue;
    const ImageInfo& info = dataset.images[image->second];
    a.instance = rescale_instance(a.instance, cv::Size(info.width, info.height), to->second);
  }
  for (const auto& [i, to] : target) {
    dataset.images[i].width = to.width;
    dataset.images[i].height = to.height;
  }
}

}  // namespace

Point rescale_point(const Point& point, cv::Size from, cv::Size to) {
  check_sizes(from, to);
  const double fx = static_cast<double>(to.width) / from.width;
  const double fy = static_cast<double>(to.height) / from.height;
  Point out = point;
  out.x = std::clamp(static_cast<int>(std::floor((point.x + 0.5) * fx)), 0, to.width - 1);
  out.y = std::clamp(static_cast<int>(std::floor((point.y + 0.5) * fy)), 0, to.height - 1);
  return out;
}

Instance rescale_instance(const Instance& instance, cv::Size from, cv::Size to) {
  check_sizes(from, to);
  Instance out = instance;
  if (instance.mask.height() > 0 || instance.mask.width() > 0) {
    if (instance.mask.width() != from.width || instance.mask.height() != from.height) {
      throw Error("rescale annotations: mask of " +
                  size_text(instance.mask.width(), instance.mask.height()) + " on an image of " +
                  size_text(from.width, from.height));
    }
    cv::Mat resized;
    cv::resize(instance.mask.to_mask(), resized, to, 0, 0, cv::INTER_NEAREST_EXACT);
    out.mask = Rle::from_mask(resized);
  }
  const double fx = static_cast<double>(to.width) / from.width;
  const double fy = static_cast<double>(to.height) / from.height;
  out.bbox = {instance.bbox[0] * fx, instance.bbox[1] * fy, instance.bbox[2] * fx,
              instance.bbox[3] * fy};
  out.area = instance.area * fx * fy;
  if (instance.point) out.point = rescale_point(*instance.point, from, to);
  return out;
}

void rescale_annotations(CocoDataset& dataset, size_t image_index, cv::Size to) {
  rescale_images(dataset, {{image_index, to}});
}

size_t match_image_sizes(CocoDataset& dataset, const std::vector<std::string>& paths,
                         SizeMismatch policy) {
  if (paths.size() > dataset.images.size()) {
    throw Error(dataset.source, "match image sizes: " + std::to_string(paths.size()) +
                                    " paths for " + std::to_string(dataset.images.size()) +
                                    " images");
  }
  std::unordered_map<size_t, cv::Size> target;
  for (size_t i = 0; i < paths.size(); ++i) {
    const ImageInfo& info = dataset.images[i];
    const cv::Size real = read_image_size(paths[i]);
    if (real.width == info.width && real.height == info.height) continue;
    if (policy == SizeMismatch::kError) {
      throw Error(paths[i], "image is " + size_text(real.width, real.height) + " but " +
                                dataset.source + " gives " + size_text(info.width, info.height) +
                                " (--resize-annotations scales the annotations to the image)");
    }
    target[i] = real;
  }
  rescale_images(dataset, target);
  if (!target.empty()) {
    std::cerr << "note: " << dataset.source << ": annotations of " << target.size() << " of "
              << dataset.images.size() << " images rescaled to the images' real sizes "
              << "(--resize-annotations)\n";
  }
  return target.size();
}

size_t match_dataset_image_sizes(CocoDataset& dataset, const std::string& image_dir,
                                 SizeMismatch policy) {
  std::vector<std::string> paths;
  paths.reserve(dataset.images.size());
  for (const auto& image : dataset.images) {
    paths.push_back(resolve_image_path(dataset, image, image_dir));
  }
  return match_image_sizes(dataset, paths, policy);
}

}  // namespace wisenet
