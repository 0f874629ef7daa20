#include "wisenet/data/coco_json.h"

#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <random>
#include <set>
#include <unordered_map>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/json_fields.h"
#include "wisenet/data/segmentation_json.h"

namespace wisenet {

namespace jf = json_fields;
using nlohmann::json;

size_t CocoDataset::image_index(int64_t image_id) const {
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i].id == image_id) return i;
  }
  throw Error(source, "no image with id " + std::to_string(image_id));
}

bool CocoDataset::has_category(int category_id) const {
  for (const auto& c : categories) {
    if (c.id == category_id) return true;
  }
  return false;
}

const std::string& CocoDataset::category_name(int category_id) const {
  for (const auto& c : categories) {
    if (c.id == category_id) return c.name;
  }
  throw Error(source, "no category with id " + std::to_string(category_id));
}

std::vector<std::vector<const Annotation*>> CocoDataset::annotations_by_image() const {
  std::unordered_map<int64_t, size_t> index;
  for (size_t i = 0; i < images.size(); ++i) index[images[i].id] = i;
  std::vector<std::vector<const Annotation*>> grouped(images.size());
  for (const auto& a : annotations) {
    const auto it = index.find(a.image_id);
    if (it != index.end()) grouped[it->second].push_back(&a);
  }
  return grouped;
}

Point point_for_mask(const Rle& mask, int category, PointRule rule, uint64_t seed) {
  const cv::Mat m = mask.to_mask();
  if (cv::countNonZero(m) == 0) throw Error("cannot place a point on an empty mask");
  if (rule == PointRule::kRandom) {
    std::vector<cv::Point> pixels;
    cv::findNonZero(m, pixels);
    std::mt19937_64 rng(seed);
    const cv::Point p = pixels[rng() % pixels.size()];
    return {p.x, p.y, category};
  }
  // OpenCV's L2 distance transform with the 5x5 mask over the mask padded by one background
  // pixel (so the image border counts as background), first maximum in row-major order: the
  // rule that made the points of the shared nuclei data (it reproduces all of them).
  cv::Mat padded;
  cv::copyMakeBorder(m, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat distance;
  cv::distanceTransform(padded, distance, cv::DIST_L2, cv::DIST_MASK_5, CV_32F);
  cv::Point best;
  cv::minMaxLoc(distance, nullptr, nullptr, nullptr, &best);
  return {best.x - 1, best.y - 1, category};
}

namespace {

Point parse_point(const json& value, const ImageInfo& image, int category,
                  const std::string& source, const std::string& item) {
  if (!value.is_array() || value.size() != 2) {
    throw Error(source, item + ": \"point\" must be [x, y]");
  }
  const double x = jf::as_number(value[0], source, item, "point");
  const double y = jf::as_number(value[1], source, item, "point");
  const int xi = static_cast<int>(std::floor(x));
  const int yi = static_cast<int>(std::floor(y));
  if (x < 0 || y < 0 || xi >= image.width || yi >= image.height) {
    throw Error(source, item + ": point (" + value[0].dump() + ", " + value[1].dump() +
                            ") lies outside image " + std::to_string(image.id) + " (" +
                            std::to_string(image.width) + "x" + std::to_string(image.height) + ")");
  }
  return {xi, yi, category};
}

std::array<double, 4> parse_bbox(const json& value, const std::string& source,
                                 const std::string& item) {
  if (!value.is_array() || value.size() != 4) {
    throw Error(source, item + ": \"bbox\" must be [x, y, width, height]");
  }
  std::array<double, 4> box{};
  for (int i = 0; i < 4; ++i) box[i] = jf::as_number(value[i], source, item, "bbox");
  return box;
}

}  // namespace

CocoDataset parse_coco(const std::string& text, const std::string& source,
                       const CocoReadOptions& options) {
  const json root = jf::parse(text, source);
  if (!root.is_object()) throw Error(source, "expected a COCO JSON object at the top level");
  CocoDataset dataset;
  dataset.source = source;

  const json& images = jf::member(root, "images", source, "dataset");
  if (!images.is_array()) throw Error(source, "\"images\" must be a list");
  std::unordered_map<int64_t, size_t> image_index;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string item = "image " + std::to_string(i);
    const json& im = images[i];
    ImageInfo info;
    info.id = jf::as_int(jf::member(im, "id", source, item), source, item, "id");
    const std::string named = "image " + std::to_string(info.id);
    info.file_name = jf::as_string(jf::member(im, "file_name", source, named), source, named,
                                   "file_name");
    info.width = static_cast<int>(
        jf::as_int(jf::member(im, "width", source, named), source, named, "width"));
    info.height = static_cast<int>(
        jf::as_int(jf::member(im, "height", source, named), source, named, "height"));
    if (info.width <= 0 || info.height <= 0 || info.width > 100000 || info.height > 100000) {
      throw Error(source, named + ": invalid size " + std::to_string(info.width) + "x" +
                              std::to_string(info.height));
    }
    if (!image_index.emplace(info.id, dataset.images.size()).second) {
      throw Error(source, "duplicate image id " + std::to_string(info.id));
    }
    dataset.images.push_back(std::move(info));
  }

  const json& categories = jf::member(root, "categories", source, "dataset");
  if (!categories.is_array()) throw Error(source, "\"categories\" must be a list");
  std::set<int> category_ids;
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string item = "category " + std::to_string(i);
    Category c;
    c.id = static_cast<int>(
        jf::as_int(jf::member(categories[i], "id", source, item), source, item, "id"));
    c.name = jf::as_string(jf::member(categories[i], "name", source, item), source, item, "name");
    if (c.id < 1) {
      throw Error(source, item + ": category id " + std::to_string(c.id) +
                              " must be >= 1 (0 is background)");
    }
    if (!category_ids.insert(c.id).second) {
      throw Error(source, "duplicate category id " + std::to_string(c.id));
    }
    dataset.categories.push_back(std::move(c));
  }

  const auto annotations_it = root.find("annotations");
  if (annotations_it != root.end()) {
    if (!annotations_it->is_array()) throw Error(source, "\"annotations\" must be a list");
    std::set<int64_t> annotation_ids;
    for (size_t i = 0; i < annotations_it->size(); ++i) {
      const json& an = (*annotations_it)[i];
      std::string item = "annotation " + std::to_string(i);
      Annotation a;
      if (an.is_object() && an.contains("id")) {
        a.instance.id = jf::as_int(an["id"], source, item, "id");
        item = "annotation " + std::to_string(a.instance.id);
      } else {
        a.instance.id = static_cast<int64_t>(i) + 1;
      }
      annotation_ids.insert(a.instance.id);
      a.image_id = jf::as_int(jf::member(an, "image_id", source, item), source, item, "image_id");
      const auto im = image_index.find(a.image_id);
      if (im == image_index.end()) {
        throw Error(source, item + ": unknown image_id " + std::to_string(a.image_id));
      }
      const ImageInfo& image = dataset.images[im->second];
      a.instance.category = static_cast<int>(
          jf::as_int(jf::member(an, "category_id", source, item), source, item, "category_id"));
      if (category_ids.count(a.instance.category) == 0) {
        throw Error(source, item + ": unknown category_id " + std::to_string(a.instance.category));
      }
      if (an.contains("iscrowd")) {
        const int64_t crowd = jf::as_int(an["iscrowd"], source, item, "iscrowd");
        if (crowd != 0 && crowd != 1) throw Error(source, item + ": \"iscrowd\" must be 0 or 1");
        a.instance.iscrowd = crowd == 1;
      }
      const auto seg = an.find("segmentation");
      a.has_mask = seg != an.end() && !seg->is_null() && !(seg->is_array() && seg->empty());
      if (a.has_mask) {
        a.instance.mask = parse_segmentation(*seg, image.height, image.width, source, item);
      }
      if (an.contains("point") && !an["point"].is_null()) {
        a.instance.point = parse_point(an["point"], image, a.instance.category, source, item);
      }
      if (!a.has_mask && !a.instance.point) {
        throw Error(source, item + ": has neither a segmentation nor a point");
      }
      if (a.has_mask) {
        a.instance.bbox = an.contains("bbox") ? parse_bbox(an["bbox"], source, item)
                                              : a.instance.mask.bbox();
        a.instance.area = an.contains("area") ? jf::as_number(an["area"], source, item, "area")
                                              : static_cast<double>(a.instance.mask.area());
        if (!a.instance.point && options.point_rule != PointRule::kNone &&
            a.instance.mask.area() > 0) {
          a.instance.point = point_for_mask(a.instance.mask, a.instance.category,
                                            options.point_rule, options.seed + i);
        }
      } else {
        if (an.contains("bbox")) a.instance.bbox = parse_bbox(an["bbox"], source, item);
        if (an.contains("area")) a.instance.area = jf::as_number(an["area"], source, item, "area");
      }
      dataset.annotations.push_back(std::move(a));
    }
  }
  return dataset;
}

CocoDataset read_coco(const std::string& path, const CocoReadOptions& options) {
  return parse_coco(read_file(path), path, options);
}

std::string coco_to_json_text(const CocoDataset& dataset) {
  json images = json::array();
  for (const auto& im : dataset.images) {
    images.push_back(
        {{"id", im.id}, {"file_name", im.file_name}, {"width", im.width}, {"height", im.height}});
  }
  json categories = json::array();
  for (const auto& c : dataset.categories) categories.push_back({{"id", c.id}, {"name", c.name}});
  json annotations = json::array();
  for (const auto& a : dataset.annotations) {
    json an = {{"id", a.instance.id},
               {"image_id", a.image_id},
               {"category_id", a.instance.category},
               {"iscrowd", a.instance.iscrowd ? 1 : 0}};
    if (a.has_mask) {
      an["segmentation"] = segmentation_to_json(a.instance.mask);
      an["area"] = a.instance.area;
      an["bbox"] = a.instance.bbox;
    }
    if (a.instance.point) an["point"] = {a.instance.point->x, a.instance.point->y};
    annotations.push_back(std::move(an));
  }
  const json root = {{"images", images}, {"categories", categories}, {"annotations", annotations}};
  return root.dump();
}

void write_coco(const CocoDataset& dataset, const std::string& path) {
  write_file_atomic(path, coco_to_json_text(dataset));
}

}  // namespace wisenet
