#include "commands/prediction_files.h"

#include <filesystem>

#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/data/object_table.h"

namespace wisenet::cli {

namespace fs = std::filesystem;

PredictionFiles::PredictionFiles(std::string out, const ClassMap& classes, bool overlays,
                                 bool label_images)
    : out_(std::move(out)), classes_(classes), overlays_(overlays), label_images_(label_images) {
  fs::create_directories(out_);
  if (overlays_) fs::create_directories(fs::path(out_) / "overlays");
  if (label_images_) fs::create_directories(fs::path(out_) / "labels");
  for (int c = 1; c <= classes_.num_classes(); ++c) {
    class_names_.emplace_back(classes_.category_of(c), classes_.names[c - 1]);
    overlay_.category_names[classes_.category_of(c)] = classes_.names[c - 1];
  }
  counts_ << "image,class,count\n";
  objects_ = object_table_header();
}

void PredictionFiles::add(const ImageInfo& image, const cv::Mat& rgb,
                          const std::vector<Instance>& instances) {
  for (int c = 1; c <= classes_.num_classes(); ++c) {
    int n = 0;
    for (const Instance& in : instances) n += in.category == classes_.category_of(c);
    counts_ << image.file_name << ',' << classes_.names[c - 1] << ',' << n << '\n';
  }
  for (const Instance& in : instances) detections_.push_back({image.id, in});
  objects_ += object_table_rows(image.file_name, instances, class_names_);
  const std::string name = fs::path(image.file_name).stem().string() + ".png";
  if (label_images_) {
    // 16-bit PNG of instance ids (cellpose / CellProfiler read these); ids match objects.csv.
    save_png((fs::path(out_) / "labels" / name).string(),
             instance_label_image(instances, rgb.rows, rgb.cols));
  }
  if (overlays_) {
    save_png((fs::path(out_) / "overlays" / name).string(), draw_overlay(rgb, instances, overlay_));
  }
}

void PredictionFiles::write() const {
  write_results(detections_, results_path());
  write_file_atomic((fs::path(out_) / "counts.csv").string(), counts_.str());
  write_file_atomic((fs::path(out_) / "objects.csv").string(), objects_);
}

std::string PredictionFiles::results_path() const {
  return (fs::path(out_) / "results.json").string();
}

}  // namespace wisenet::cli
