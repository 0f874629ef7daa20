// wisenet count: objects per image and class with L-Net; with ground truth, MAE and GAME.
#include <iostream>

#include "commands/coco_report.h"
#include "commands/command.h"
#include "wisenet/core/threads.h"
#include "wisenet/eval/count_objects.h"

namespace wisenet::cli {

namespace {
struct CountParams {
  std::string model;
  std::string images;
  std::string image_dir;
  std::string csv;
  int threads = 0;
  bool quiet = false;
  bool resize_annotations = false;
};
}  // namespace

void add_count_command(CLI::App& app) {
  auto p = std::make_shared<CountParams>();
  CLI::App* sub = app.add_subcommand("count", "Count and locate objects with a trained L-Net");
  sub->add_option("--model", p->model, "checkpoint (best.ckpt or last.ckpt of a run)")->required();
  sub->add_option("--images", p->images, "a folder of images, or a COCO JSON (then MAE/GAME)")
      ->required();
  sub->add_option("--image-dir", p->image_dir, "folder of the JSON's images");
  sub->add_option("--csv", p->csv, "write image,class,count,true_count,seeds here");
  sub->add_flag("--resize-annotations", p->resize_annotations,
                "JSON: scale the annotations of an image whose size differs from the JSON's "
                "to the image (default: an error)");
  sub->add_flag("--quiet", p->quiet, "no progress bar");
  add_threads_option(sub, &p->threads);
  sub->callback([p] {
    set_threads(p->threads);
    TrainedModel model = load_trained_model(p->model);
    CocoReadOptions read;
    read.point_rule = PointRule::kCenter;
    const ImageSource source =
        open_images(p->images, p->image_dir, read,
                    p->resize_annotations ? SizeMismatch::kRescale : SizeMismatch::kError);
    const CountReport report = count_objects(model, source, !p->quiet);
    if (!p->csv.empty()) write_counts_csv(report, model.classes, p->csv);
    int64_t total = 0;
    for (const auto& im : report.images) {
      for (size_t c = 1; c < im.seeds.size(); ++c) total += static_cast<int64_t>(im.seeds[c].size());
    }
    std::cout << report.images.size() << " images, " << total << " objects\n";
    if (report.errors) {
      print_count_errors(std::cout, *report.errors);
    }
    if (!p->csv.empty()) std::cout << "counts: " << p->csv << "\n";
  });
}

}  // namespace wisenet::cli
