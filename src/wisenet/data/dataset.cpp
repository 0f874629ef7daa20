#include "wisenet/data/dataset.h"

#include <filesystem>

#include "wisenet/core/error.h"
#include "wisenet/data/image_io.h"

namespace wisenet {

namespace fs = std::filesystem;

std::string resolve_image_path(const CocoDataset& dataset, const ImageInfo& image,
                               const std::string& image_dir) {
  if (!image_dir.empty()) return (fs::path(image_dir) / image.file_name).string();
  const fs::path base = fs::path(dataset.source).parent_path();
  const fs::path beside = base / image.file_name;
  const fs::path in_images = base / "images" / image.file_name;
  std::error_code ec;
  if (fs::exists(beside, ec)) return beside.string();
  if (fs::exists(in_images, ec)) return in_images.string();
  throw Error(dataset.source, "image " + std::to_string(image.id) + ": \"" + image.file_name +
                                  "\" found neither at " + beside.string() + " nor at " +
                                  in_images.string() + " (give the folder with --image-dir)");
}

Sample load_sample(const CocoDataset& dataset, size_t index, const std::string& image_dir) {
  const ImageInfo& info = dataset.images.at(index);
  const std::string path = resolve_image_path(dataset, info, image_dir);
  Sample sample;
  sample.image_id = info.id;
  sample.file_name = info.file_name;
  sample.image = load_image(path);
  if (sample.image.cols != info.width || sample.image.rows != info.height) {
    throw Error(path, "image is " + std::to_string(sample.image.cols) + "x" +
                          std::to_string(sample.image.rows) + " but " + dataset.source +
                          " gives " + std::to_string(info.width) + "x" +
                          std::to_string(info.height) +
                          " (--resize-annotations scales the annotations to the image)");
  }
  for (const auto& a : dataset.annotations) {
    if (a.image_id != info.id) continue;
    if (a.instance.point) sample.points.push_back(*a.instance.point);
    if (a.has_mask) sample.instances.push_back(a.instance);
  }
  return sample;
}

}  // namespace wisenet
