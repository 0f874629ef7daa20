// Writing the synthetic dataset to disk: images first (in parallel, each atomically), the
// COCO JSON files last, so a folder with train.json and val.json is always complete.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include <opencv2/core/utility.hpp>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/synthetic.h"

namespace wisenet {

namespace fs = std::filesystem;

int synthetic_val_count(const SynthOptions& options) {
  validate_synth_options(options);
  const int rounded = static_cast<int>(std::lround(options.images * options.val_fraction));
  return std::min(rounded, options.images - 1);
}

SynthSummary write_synthetic_dataset(const SynthOptions& options, const std::string& out_dir,
                                     const SynthProgress& progress) {
  validate_synth_options(options);
  const fs::path root(out_dir);
  const fs::path image_dir = root / "images";
  SynthSummary summary;
  summary.image_dir = image_dir.string();
  summary.train_json = (root / "train.json").string();
  summary.val_json = (root / "val.json").string();
  summary.objects_per_class.assign(options.classes, 0);

  std::error_code ec;
  fs::create_directories(image_dir, ec);
  if (ec) throw Error(image_dir.string(), "cannot create folder: " + ec.message());
  // A stale train.json/val.json would make a half-rewritten folder look complete.
  for (const std::string& path : {summary.train_json, summary.val_json}) {
    fs::remove(path, ec);
    if (ec) throw Error(path, "cannot remove the old file: " + ec.message());
  }

  const int total = options.images;
  const int val_count = synthetic_val_count(options);
  const int train_count = total - val_count;
  CocoDataset train, val;
  train.categories = val.categories = synthetic_categories(options.classes);

  // Batches of a few images per thread: parallel work, progress between batches, and the
  // annotations gathered in index order whatever the thread count.
  const int batch = std::max(1, cv::getNumThreads()) * 4;
  int64_t next_annotation_id = 1;
  for (int start = 0; start < total; start += batch) {
    const int end = std::min(total, start + batch);
    std::vector<std::vector<Instance>> instances(end - start);
    std::vector<int64_t> distractors(end - start, 0);
    std::vector<std::string> errors(end - start);
    cv::parallel_for_(cv::Range(start, end), [&](const cv::Range& range) {
      for (int index = range.start; index < range.end; ++index) {
        // An exception must not cross OpenCV's thread pool: keep it and rethrow below.
        try {
          SynthImage image = make_synthetic_image(options, index);
          save_png((image_dir / synthetic_file_name(index)).string(), image.image);
          instances[index - start] = std::move(image.instances);
          distractors[index - start] = static_cast<int64_t>(image.distractors.size());
        } catch (const std::exception& e) {
          errors[index - start] = e.what();
        }
      }
    });
    for (const std::string& error : errors) {
      if (!error.empty()) throw Error(error);
    }
    for (int index = start; index < end; ++index) {
      CocoDataset& split = index < train_count ? train : val;
      const ImageInfo info{index + 1, synthetic_file_name(index), options.size, options.size};
      split.images.push_back(info);
      for (Instance& instance : instances[index - start]) {
        ++summary.objects_per_class[instance.category - 1];
        instance.id = next_annotation_id++;
        split.annotations.push_back({info.id, std::move(instance), true});
      }
      summary.distractors += distractors[index - start];
    }
    if (progress) progress(end, total);
  }

  write_coco(train, summary.train_json);
  write_coco(val, summary.val_json);
  summary.train_images = train_count;
  summary.val_images = val_count;
  return summary;
}

}  // namespace wisenet
