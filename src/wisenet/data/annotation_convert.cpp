#include "wisenet/data/annotation_convert.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/core/progress.h"
#include "wisenet/data/annotation_rescale.h"
#include "wisenet/data/csv_line.h"
#include "wisenet/data/cvat_xml.h"
#include "wisenet/data/labelme_json.h"
#include "wisenet/data/points_csv.h"
#include "wisenet/data/via_annotations.h"

namespace wisenet {

std::string ConvertReport::summary() const {
  std::ostringstream out;
  out << images << " images, " << points_written << " points, " << masks_written
      << " masks written; dropped: ";
  bool first = true;
  for (const auto& [kind, n] : read.dropped) {
    out << (first ? "" : ", ") << n << ' ' << kind << " (input)";
    first = false;
  }
  for (const auto& [kind, n] : dropped_on_write) {
    out << (first ? "" : ", ") << n << ' ' << kind;
    first = false;
  }
  if (first) out << "none";
  return out.str();
}

ForeignAnnotations read_points_csv_alone(const std::string& path, const std::string& image_dir) {
  const std::string text = read_file(path);
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw Error(path, "empty CSV, expected a header image,x,y,class");
  const auto header = csv_fields(line, path + ": line 1");
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : {"image", "x", "y", "class"}) {
    if (!column.count(name)) {
      throw Error(
          path, std::string("header lacks the column \"") + name + "\" (expected image,x,y,class)");
    }
  }
  ForeignDatasetBuilder builder(path);
  std::map<std::string, int64_t> image_ids;
  int line_number = 1;
  // Each new image is opened for its size: seconds on a large dataset.
  ProgressBar progress("read points", std::count(text.begin(), text.end(), '\n') - 1);
  while (std::getline(in, line)) {
    ++line_number;
    progress.update(line_number - 1);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ": line " + std::to_string(line_number);
    const auto fields = csv_fields(line, where);
    if (fields.size() < header.size()) {
      throw Error(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                  std::to_string(header.size()));
    }
    const std::string& name = fields[column["image"]];
    auto it = image_ids.find(name);
    if (it == image_ids.end()) {
      const auto [w, h] = foreign_image_size(name, image_dir, path, where);
      it = image_ids.emplace(name, builder.add_image(name, w, h, where)).first;
    }
    const std::string& class_name = fields[column["class"]];
    if (class_name.empty()) throw Error(where + ": empty class");
    double xy[2];
    for (int k = 0; k < 2; ++k) {
      const char* key = k == 0 ? "x" : "y";
      const std::string& text = fields[column[key]];
      char* end = nullptr;
      xy[k] = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !std::isfinite(xy[k])) {
        throw Error(where + ": " + key + " \"" + text + "\" is not a number");
      }
    }
    builder.add_point(it->second, xy[0], xy[1], builder.category(class_name), where);
  }
  progress.finish();
  return builder.finish();
}

ForeignAnnotations read_annotations(const std::string& from, const std::string& path,
                                    const ConvertOptions& options) {
  const ViaReadOptions via{options.class_attribute, options.image_dir};
  if (from == "labelme") return read_labelme(path);
  if (from == "via") return read_via_json(path, via);
  if (from == "via-csv") return read_via_csv(path, via);
  if (from == "cvat") return read_cvat(path);
  if (from == "csv") return read_points_csv_alone(path, options.image_dir);
  if (from == "coco") {
    ForeignAnnotations out;
    out.dataset = read_coco(path);
    for (const auto& a : out.dataset.annotations) {
      out.report.points += a.instance.point.has_value();
      out.report.masks += a.has_mask;
    }
    return out;
  }
  throw Error("--from " + from + ": unknown format (labelme, via, via-csv, cvat, csv, coco)");
}

ConvertReport convert_annotations(const std::string& in, const std::string& out,
                                  const ConvertOptions& options) {
  if (options.to != "coco" && options.to != "csv") {
    throw Error("--to " + options.to + ": unknown format (coco, csv)");
  }
  ForeignAnnotations read = read_annotations(options.from, in, options);
  CocoDataset& dataset = read.dataset;
  if (options.resize_annotations) {
    match_dataset_image_sizes(dataset, options.image_dir, SizeMismatch::kRescale);
  }
  if (options.point_rule != PointRule::kNone) {
    for (auto& a : dataset.annotations) {
      if (a.has_mask && !a.instance.point && a.instance.mask.area() > 0) {
        a.instance.point =
            point_for_mask(a.instance.mask, a.instance.category, options.point_rule, 0);
      }
    }
  }
  ConvertReport report;
  report.images = static_cast<int64_t>(dataset.images.size());
  report.read = read.report;
  for (const auto& a : dataset.annotations) {
    report.points_written += a.instance.point.has_value();
    report.masks_written += a.has_mask;
  }
  if (options.to == "coco") {
    write_coco(dataset, out);
    return report;
  }
  int64_t without_point = 0;
  for (const auto& a : dataset.annotations) without_point += !a.instance.point.has_value();
  if (report.masks_written > 0)
    report.dropped_on_write["mask (csv holds points)"] = report.masks_written;
  if (without_point > 0) report.dropped_on_write["annotation without a point"] = without_point;
  report.masks_written = 0;
  write_points_csv(dataset, out);
  return report;
}

}  // namespace wisenet
