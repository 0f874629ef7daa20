#include "wisenet/eval/count_objects.h"

#include <sstream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/progress.h"
#include "wisenet/data/image_io.h"
#include "wisenet/infer/localizer.h"

namespace wisenet {

CountReport count_objects(TrainedModel& model, const ImageSource& source, bool progress) {
  CountReport report;
  const int classes = model.classes.num_classes();
  const auto by_image = source.dataset.annotations_by_image();
  std::vector<CountingImage> counting;
  ProgressBar bar("count", static_cast<int64_t>(source.paths.size()), progress);
  for (size_t i = 0; i < source.paths.size(); ++i) {
    const cv::Mat image = load_image(source.paths[i]);
    const Localization loc = localize(*model.model, image);
    ImageCounts counts;
    counts.image_id = source.dataset.images[i].id;
    counts.file_name = source.dataset.images[i].file_name;
    counts.seeds.resize(classes + 1);
    for (const auto& o : loc.objects) counts.seeds[o.channel].push_back(o.seed);
    if (source.has_ground_truth) {
      counts.true_counts.assign(classes + 1, 0);
      std::vector<std::vector<Point>> truth(classes + 1);
      for (const Annotation* a : by_image[i]) {
        if (!a->instance.point || a->instance.iscrowd) continue;
        const int c = model.classes.channel_of(a->instance.category);
        ++counts.true_counts[c];
        truth[c].push_back(*a->instance.point);
      }
      for (int c = 1; c <= classes; ++c) {
        CountingImage im;
        im.width = image.cols;
        im.height = image.rows;
        for (const auto& s : counts.seeds[c]) im.predicted.push_back({s.x, s.y, c});
        im.truth = truth[c];
        counting.push_back(std::move(im));
      }
    }
    report.images.push_back(std::move(counts));
    bar.update(static_cast<int64_t>(i) + 1);
  }
  bar.finish();
  if (source.has_ground_truth) report.errors = count_errors(counting, 3);
  return report;
}

void write_counts_csv(const CountReport& report, const ClassMap& classes, const std::string& path) {
  std::ostringstream out;
  out << "image,class,count,true_count,seeds\n";
  for (const auto& im : report.images) {
    for (int c = 1; c <= classes.num_classes(); ++c) {
      out << im.file_name << ',' << classes.names[c - 1] << ',' << im.seeds[c].size() << ',';
      if (!im.true_counts.empty()) out << im.true_counts[c];
      out << ',';
      for (size_t k = 0; k < im.seeds[c].size(); ++k) {
        out << (k ? ";" : "") << im.seeds[c][k].x << ' ' << im.seeds[c][k].y;
      }
      out << '\n';
    }
  }
  write_file_atomic(path, out.str());
}

}  // namespace wisenet
