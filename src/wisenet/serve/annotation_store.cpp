#include "wisenet/serve/annotation_store.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <unistd.h>

#include "wisenet/core/atomic_file.h"
#include "wisenet/data/points_csv.h"

namespace wisenet::serve {

namespace fs = std::filesystem;

AnnotationStore::AnnotationStore(std::string path, const std::vector<ImageInfo>& folder_images,
                                 const std::vector<Category>& categories)
    : path_(std::move(path)) {
  if (fs::exists(path_)) {
    dataset_ = read_coco(path_);
  } else {
    dataset_.categories = categories;
  }
  int64_t next_image = 1;
  for (const auto& im : dataset_.images) next_image = std::max(next_image, im.id + 1);
  for (const auto& im : folder_images) {
    const bool known = std::any_of(dataset_.images.begin(), dataset_.images.end(),
                                   [&](const ImageInfo& k) { return k.file_name == im.file_name; });
    if (known) continue;
    ImageInfo added = im;
    added.id = next_image++;
    dataset_.images.push_back(added);
  }
  for (const auto& a : dataset_.annotations) {
    // An id of INT64_MAX in the file must not overflow (undefined behaviour).
    if (a.instance.id < std::numeric_limits<int64_t>::max()) {
      next_id_ = std::max(next_id_, a.instance.id + 1);
    }
  }
}

std::vector<ImageInfo> AnnotationStore::images() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dataset_.images;
}

std::vector<Category> AnnotationStore::categories() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dataset_.categories;
}

size_t AnnotationStore::image_index_locked(const std::string& file_name) const {
  for (size_t i = 0; i < dataset_.images.size(); ++i) {
    if (dataset_.images[i].file_name == file_name) return i;
  }
  throw NotFound(path_, "no image named '" + file_name + "'");
}

ImageInfo AnnotationStore::image(const std::string& file_name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dataset_.images[image_index_locked(file_name)];
}

std::vector<Instance> AnnotationStore::instances(const std::string& file_name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t id = dataset_.images[image_index_locked(file_name)].id;
  std::vector<Instance> out;
  for (const auto& a : dataset_.annotations) {
    if (a.image_id == id) out.push_back(a.instance);
  }
  return out;
}

size_t AnnotationStore::count(const std::string& file_name) const {
  return instances(file_name).size();
}

void AnnotationStore::check_category_locked(int category) const {
  if (!dataset_.has_category(category)) {
    throw Error(path_, "category " + std::to_string(category) + " does not exist");
  }
}

Instance AnnotationStore::add_locked(int64_t image_id, const ImageInfo& image, Instance instance) {
  check_category_locked(instance.category);
  if (instance.mask.height() != image.height || instance.mask.width() != image.width) {
    throw Error(path_, "mask of " + std::to_string(instance.mask.width()) + "x" +
                           std::to_string(instance.mask.height()) + " for image '" +
                           image.file_name + "' of " + std::to_string(image.width) + "x" +
                           std::to_string(image.height));
  }
  const bool used = std::any_of(dataset_.annotations.begin(), dataset_.annotations.end(),
                                [&](const Annotation& a) { return a.instance.id == instance.id; });
  if (instance.id <= 0 || used) instance.id = next_id_;
  if (instance.id < std::numeric_limits<int64_t>::max()) {
    next_id_ = std::max(next_id_, instance.id + 1);
  }
  instance.bbox = instance.mask.bbox();
  instance.area = static_cast<double>(instance.mask.area());
  if (instance.point) instance.point->category = instance.category;
  Annotation a;
  a.image_id = image_id;
  a.instance = instance;
  a.has_mask = true;
  dataset_.annotations.push_back(a);
  return instance;
}

Instance AnnotationStore::add(const std::string& file_name, Instance instance) {
  std::lock_guard<std::mutex> lock(mutex_);
  const ImageInfo image = dataset_.images[image_index_locked(file_name)];
  Instance stored = add_locked(image.id, image, std::move(instance));
  save_locked();
  return stored;
}

bool AnnotationStore::fill_once(const std::string& file_name,
                                const std::vector<Instance>& instances) {
  std::lock_guard<std::mutex> lock(mutex_);
  const ImageInfo image = dataset_.images[image_index_locked(file_name)];
  if (std::find(filled_.begin(), filled_.end(), image.id) != filled_.end()) return false;
  filled_.push_back(image.id);
  const bool has_any = std::any_of(dataset_.annotations.begin(), dataset_.annotations.end(),
                                   [&](const Annotation& a) { return a.image_id == image.id; });
  if (has_any || instances.empty()) return false;
  for (Instance instance : instances) {
    instance.id = 0;
    add_locked(image.id, image, std::move(instance));
  }
  save_locked();
  return true;
}

Instance AnnotationStore::update(int64_t id, std::optional<int> category,
                                 std::optional<Rle> mask) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& a : dataset_.annotations) {
    if (a.instance.id != id) continue;
    if (category) {
      check_category_locked(*category);
      a.instance.category = *category;
      if (a.instance.point) a.instance.point->category = *category;
    }
    if (mask) {
      if (mask->height() != a.instance.mask.height() || mask->width() != a.instance.mask.width()) {
        throw Error(path_, "instance " + std::to_string(id) + ": mask has the wrong size");
      }
      a.instance.mask = *mask;
      a.instance.bbox = mask->bbox();
      a.instance.area = static_cast<double>(mask->area());
    }
    save_locked();
    return a.instance;
  }
  throw StaleEdit(path_, "instance " + std::to_string(id) +
                             " no longer exists (deleted in another tab?)");
}

void AnnotationStore::remove(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& all = dataset_.annotations;
  const auto it = std::find_if(all.begin(), all.end(),
                               [&](const Annotation& a) { return a.instance.id == id; });
  if (it == all.end()) {
    throw StaleEdit(path_, "instance " + std::to_string(id) +
                               " no longer exists (deleted in another tab?)");
  }
  all.erase(it);
  save_locked();
}

void AnnotationStore::save_locked() const { write_coco(dataset_, path_); }

std::string AnnotationStore::coco_json() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return coco_to_json_text(dataset_);
}

std::string AnnotationStore::points_csv() const {
  std::lock_guard<std::mutex> lock(mutex_);
  // write_points_csv only writes files: go through a private temporary one.
  const fs::path tmp = fs::temp_directory_path() /
                       ("wisenet-points-" + std::to_string(::getpid()) + "-" +
                        std::to_string(reinterpret_cast<uintptr_t>(this)) + ".csv");
  write_points_csv(dataset_, tmp.string());
  std::string text = read_file(tmp.string());
  fs::remove(tmp);
  return text;
}

}  // namespace wisenet::serve
