#pragma once
// The files `predict` writes into its output folder: results.json (COCO results), counts.csv
// (image,class,count per class), objects.csv (object_table.h) and, on request,
// overlays/<image stem>.png and labels/<image stem>.png (16-bit instance ids, the ids of
// objects.csv). Shared by `wisenet predict` and wisenet-onnx, so it uses only torch-free
// library code (wisenet_io_core): the two programs write the same bytes for the same instances.
// Usage:
//   PredictionFiles files(out, classes, overlays, label_images);  // creates the folders
//   files.add(info, rgb, instances);                                // once per image, in order
//   files.write();                                                  // the three tables
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/data/class_map.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/viz/overlay.h"

namespace wisenet::cli {

class PredictionFiles {
 public:
  // Creates `out` (and overlays/, labels/ when asked). Class names come from `classes`.
  PredictionFiles(std::string out, const ClassMap& classes, bool overlays, bool label_images);

  // One image's instances (`rgb`: the image they were predicted on): its counts and object
  // rows, and its overlay and label image written now.
  void add(const ImageInfo& image, const cv::Mat& rgb, const std::vector<Instance>& instances);
  // Writes results.json, counts.csv and objects.csv atomically.
  void write() const;

  size_t instances() const { return detections_.size(); }
  // Every image's instances so far, as results.json holds them.
  const std::vector<Detection>& detections() const { return detections_; }
  std::string results_path() const;

 private:
  std::string out_;
  ClassMap classes_;
  bool overlays_;
  bool label_images_;
  std::vector<std::pair<int, std::string>> class_names_;  // for objects.csv
  OverlayOptions overlay_;
  std::vector<Detection> detections_;
  std::ostringstream counts_;
  std::string objects_;
};

}  // namespace wisenet::cli
