#pragma once
// The annotation app's state: one COCO dataset (images, categories, instances with masks and
// points) kept in memory and written to its file atomically after every change, so reloading
// the page, or restarting the server, shows what was saved.
//
// Concurrency (two tabs editing one image): every edit names one instance by its id, which the
// store assigns, so tabs adding or deleting different instances never lose each other's work;
// two edits of the same instance: the later write wins. Editing an instance that another tab
// has deleted is refused with StaleEdit (the page shows the message and reloads).
// All methods are thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"

namespace wisenet::serve {

// An edit of an instance that no longer exists (deleted by another tab): HTTP 409.
struct StaleEdit : Error {
  using Error::Error;
};
// An unknown image: HTTP 404.
struct NotFound : Error {
  using Error::Error;
};

class AnnotationStore {
 public:
  // Reads `path` when it exists (its images, categories and annotations), else starts empty
  // with `categories`. Each of `folder_images` (file name, width, height) missing from the
  // file is added with a fresh id; the file is written at the first change.
  AnnotationStore(std::string path, const std::vector<ImageInfo>& folder_images,
                  const std::vector<Category>& categories);

  std::vector<ImageInfo> images() const;
  std::vector<Category> categories() const;
  // The image with this file name; NotFound otherwise.
  ImageInfo image(const std::string& file_name) const;
  // The image's instances (ids set), in the order they were added.
  std::vector<Instance> instances(const std::string& file_name) const;
  // Instances per category id on the image.
  size_t count(const std::string& file_name) const;

  // Adds `instance` to the image (its mask must have the image's size, its category must
  // exist); bbox and area come from the mask. instance.id 0 or already used: a fresh id.
  // Returns the stored instance. Saves.
  Instance add(const std::string& file_name, Instance instance);
  // Changes the category and/or mask of instance `id`; StaleEdit when it does not exist.
  Instance update(int64_t id, std::optional<int> category, std::optional<Rle> mask);
  // Removes instance `id`; StaleEdit when it does not exist. Saves.
  void remove(int64_t id);

  // Adds `instances` to an image that has none yet and was never filled before, as one
  // save; returns false (adding nothing) otherwise. For the model's predictions on first open.
  bool fill_once(const std::string& file_name, const std::vector<Instance>& instances);

  std::string coco_json() const;
  std::string points_csv() const;
  const std::string& path() const { return path_; }

 private:
  size_t image_index_locked(const std::string& file_name) const;
  Instance add_locked(int64_t image_id, const ImageInfo& image, Instance instance);
  void check_category_locked(int category) const;
  void save_locked() const;

  mutable std::mutex mutex_;
  std::string path_;
  CocoDataset dataset_;
  std::vector<int64_t> filled_;  // image ids already filled by fill_once
  int64_t next_id_ = 1;
};

}  // namespace wisenet::serve
