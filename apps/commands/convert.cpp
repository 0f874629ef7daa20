// wisenet convert: point annotations from LabelMe, VIA, CVAT, a points CSV or COCO into COCO
// or a points CSV, with every item the output cannot hold counted and reported.
#include <iostream>
#include <memory>

#include "commands/command.h"
#include "wisenet/core/error.h"
#include "wisenet/data/annotation_convert.h"

namespace wisenet::cli {

namespace {

struct ConvertParams {
  ConvertOptions options;
  std::string in;
  std::string out;
  std::string point_rule = "none";
};

void run_convert(ConvertParams p) {
  p.options.point_rule = p.point_rule == "center" ? PointRule::kCenter : PointRule::kNone;
  const ConvertReport report = convert_annotations(p.in, p.out, p.options);
  std::cout << report.summary() << "\n" << p.options.to << ": " << p.out << "\n";
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto p = std::make_shared<ConvertParams>();
  CLI::App* sub = app.add_subcommand(
      "convert",
      "Annotations from LabelMe, VIA, CVAT, a points CSV or COCO to COCO or a points CSV; "
      "prints what was written and every item dropped");
  sub->add_option("--from", p->options.from,
                  "labelme (file or folder), via, via-csv, cvat, csv, coco")
      ->required()
      ->check(CLI::IsMember({"labelme", "via", "via-csv", "cvat", "csv", "coco"}));
  sub->add_option("--to", p->options.to, "coco or csv")
      ->required()
      ->check(CLI::IsMember({"coco", "csv"}));
  sub->add_option("--class-attribute", p->options.class_attribute,
                  "VIA: region attribute holding the class (default: one class \"object\")");
  sub->add_option("--image-dir", p->options.image_dir,
                  "VIA, csv, --resize-annotations: folder of the images, whose sizes are needed "
                  "(default: beside IN)");
  sub->add_option("--points", p->point_rule,
                  "none, or center: give a mask without a click the pixel deepest inside it")
      ->check(CLI::IsMember({"none", "center"}))
      ->capture_default_str();
  sub->add_flag("--resize-annotations", p->options.resize_annotations,
                "read the images (--image-dir, else beside IN) and scale the annotations of an "
                "image whose size differs from the annotated size to the image");
  sub->add_option("IN", p->in, "input file (a folder for labelme)")->required();
  sub->add_option("OUT", p->out, "output file")->required();
  sub->callback([p] { run_convert(*p); });
}

}  // namespace wisenet::cli
