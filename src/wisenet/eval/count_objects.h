#pragma once
// Counting with L-Net over a set of images: per image and class, the count and the seeds; with
// ground truth, MAE and GAME (wisenet count).
#include <optional>
#include <string>
#include <vector>

#include "wisenet/data/image_source.h"
#include "wisenet/eval/counting.h"
#include "wisenet/infer/trained_model.h"

namespace wisenet {

struct ImageCounts {
  int64_t image_id = 0;
  std::string file_name;
  std::vector<std::vector<cv::Point>> seeds;  // per channel 1..C (index 0 unused)
  std::vector<int> true_counts;               // per channel, when ground truth is known
};

struct CountReport {
  std::vector<ImageCounts> images;
  std::optional<CountErrors> errors;  // all classes, one entry per (image, class)
};

// Runs L-Net on every image of `source`. True counts come from the ground truth's points
// (annotations without a point get one by the center rule when read).
CountReport count_objects(TrainedModel& model, const ImageSource& source, bool progress);

// CSV `image,class,count,true_count,seeds` with seeds as "x y;x y;..." (true_count empty
// without ground truth), written atomically.
void write_counts_csv(const CountReport& report, const ClassMap& classes, const std::string& path);

}  // namespace wisenet
