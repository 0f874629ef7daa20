#include "wisenet/data/foreign_annotations.h"

#include <cmath>
#include <sstream>

#include "wisenet/core/error.h"

namespace wisenet {

int64_t ImportReport::dropped_total() const {
  int64_t n = 0;
  for (const auto& [kind, count] : dropped) n += count;
  return n;
}

std::string ImportReport::summary() const {
  std::ostringstream out;
  out << points << " points, " << masks << " masks; dropped: ";
  if (dropped.empty()) out << "none";
  bool first = true;
  for (const auto& [kind, count] : dropped) {
    out << (first ? "" : ", ") << count << ' ' << kind;
    first = false;
  }
  return out.str();
}

ForeignDatasetBuilder::ForeignDatasetBuilder(std::string source) : source_(std::move(source)) {
  out_.dataset.source = source_;
}

int ForeignDatasetBuilder::category(const std::string& name) {
  const auto it = category_ids_.find(name);
  if (it != category_ids_.end()) return it->second;
  const int id = static_cast<int>(out_.dataset.categories.size()) + 1;
  out_.dataset.categories.push_back({id, name});
  category_ids_[name] = id;
  return id;
}

int64_t ForeignDatasetBuilder::add_image(const std::string& file_name, int width, int height,
                                         const std::string& where) {
  if (file_name.empty()) throw Error(where + ": empty image file name");
  if (width <= 0 || height <= 0) {
    throw Error(where + ": image \"" + file_name + "\" has size " + std::to_string(width) + "x" +
                std::to_string(height));
  }
  if (image_ids_.count(file_name)) {
    throw Error(where + ": image \"" + file_name + "\" appears twice");
  }
  const int64_t id = static_cast<int64_t>(out_.dataset.images.size()) + 1;
  out_.dataset.images.push_back({id, file_name, width, height});
  image_ids_[file_name] = id;
  return id;
}

const ImageInfo& ForeignDatasetBuilder::image(int64_t image_id) const {
  return out_.dataset.images.at(static_cast<size_t>(image_id - 1));
}

Annotation& ForeignDatasetBuilder::new_annotation(int64_t image_id, int category) {
  Annotation a;
  a.image_id = image_id;
  a.instance.id = static_cast<int64_t>(out_.dataset.annotations.size()) + 1;
  a.instance.category = category;
  out_.dataset.annotations.push_back(std::move(a));
  removed_.push_back(false);
  return out_.dataset.annotations.back();
}

size_t ForeignDatasetBuilder::add_point(int64_t image_id, double x, double y, int category,
                                        const std::string& where) {
  const ImageInfo& info = image(image_id);
  if (!std::isfinite(x) || !std::isfinite(y) || x < 0 || y < 0 || std::floor(x) >= info.width ||
      std::floor(y) >= info.height) {
    std::ostringstream msg;
    msg << where << ": point (" << x << ", " << y << ") lies outside image \"" << info.file_name
        << "\" (" << info.width << "x" << info.height << ")";
    throw Error(msg.str());
  }
  Annotation& a = new_annotation(image_id, category);
  a.has_mask = false;
  a.instance.point =
      Point{static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)), category};
  ++out_.report.points;
  return out_.dataset.annotations.size() - 1;
}

size_t ForeignDatasetBuilder::add_polygon(int64_t image_id, const std::vector<double>& xy,
                                          int category, const std::string& where) {
  if (xy.size() < 6 || xy.size() % 2 != 0) {
    throw Error(where + ": a polygon needs at least 3 vertices, got " +
                std::to_string(xy.size() / 2));
  }
  for (double v : xy) {
    if (!std::isfinite(v)) throw Error(where + ": polygon coordinate is not finite");
  }
  const ImageInfo& info = image(image_id);
  return add_mask(image_id, Rle::from_polygon(info.height, info.width, xy), category, where);
}

size_t ForeignDatasetBuilder::add_mask(int64_t image_id, const Rle& mask, int category,
                                       const std::string& where) {
  const ImageInfo& info = image(image_id);
  if (mask.height() != info.height || mask.width() != info.width) {
    throw Error(where + ": mask size differs from image \"" + info.file_name + "\"");
  }
  if (mask.area() == 0) {
    throw Error(where + ": mask covers no pixel of image \"" + info.file_name + "\"");
  }
  Annotation& a = new_annotation(image_id, category);
  a.instance.mask = mask;
  a.instance.bbox = mask.bbox();
  a.instance.area = static_cast<double>(mask.area());
  ++out_.report.masks;
  return out_.dataset.annotations.size() - 1;
}

void ForeignDatasetBuilder::join_point_to_mask(size_t point_index, size_t mask_index) {
  auto& anns = out_.dataset.annotations;
  anns.at(mask_index).instance.point = anns.at(point_index).instance.point;
  removed_.at(point_index) = true;
}

void ForeignDatasetBuilder::drop(const std::string& kind, int64_t n) {
  if (n > 0) out_.report.dropped[kind] += n;
}

ForeignAnnotations ForeignDatasetBuilder::finish() {
  std::vector<Annotation> kept;
  for (size_t i = 0; i < out_.dataset.annotations.size(); ++i) {
    if (!removed_[i]) kept.push_back(std::move(out_.dataset.annotations[i]));
  }
  for (size_t i = 0; i < kept.size(); ++i) kept[i].instance.id = static_cast<int64_t>(i) + 1;
  out_.dataset.annotations = std::move(kept);
  // `points` counts annotations with a point: joined points moved onto masks still count once.
  return std::move(out_);
}

}  // namespace wisenet
