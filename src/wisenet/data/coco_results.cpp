#include "wisenet/data/coco_results.h"

#include <unordered_map>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/json_fields.h"
#include "wisenet/data/segmentation_json.h"

namespace wisenet {

namespace jf = json_fields;
using nlohmann::json;

std::vector<Detection> parse_results(const std::string& text, const std::string& source,
                                     const CocoDataset& ground_truth) {
  const json root = jf::parse(text, source);
  if (!root.is_array()) throw Error(source, "expected a list of COCO results");
  std::unordered_map<int64_t, const ImageInfo*> images;
  for (const auto& im : ground_truth.images) images[im.id] = &im;
  std::vector<Detection> detections;
  detections.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) {
    const json& r = root[i];
    const std::string item = "result " + std::to_string(i);
    Detection d;
    d.image_id = jf::as_int(jf::member(r, "image_id", source, item), source, item, "image_id");
    const auto im = images.find(d.image_id);
    if (im == images.end()) {
      throw Error(source, item + ": image_id " + std::to_string(d.image_id) +
                              " is not in the ground truth");
    }
    d.instance.category = static_cast<int>(
        jf::as_int(jf::member(r, "category_id", source, item), source, item, "category_id"));
    if (!ground_truth.has_category(d.instance.category)) {
      throw Error(source, item + ": unknown category_id " + std::to_string(d.instance.category));
    }
    d.instance.score = jf::as_number(jf::member(r, "score", source, item), source, item, "score");
    d.instance.mask = parse_segmentation(jf::member(r, "segmentation", source, item),
                                         im->second->height, im->second->width, source, item);
    d.instance.id = static_cast<int64_t>(i) + 1;
    // As pycocotools' loadRes: a given bbox wins and sets the area to w*h; else both come
    // from the mask.
    const auto bbox = r.find("bbox");
    if (bbox != r.end() && bbox->is_array() && !bbox->empty()) {
      if (bbox->size() != 4) throw Error(source, item + ": \"bbox\" must be [x, y, w, h]");
      for (int k = 0; k < 4; ++k) d.instance.bbox[k] = jf::as_number((*bbox)[k], source, item, "bbox");
      d.instance.area = d.instance.bbox[2] * d.instance.bbox[3];
    } else {
      d.instance.bbox = d.instance.mask.bbox();
      d.instance.area = static_cast<double>(d.instance.mask.area());
    }
    detections.push_back(std::move(d));
  }
  return detections;
}

std::vector<Detection> read_results(const std::string& path, const CocoDataset& ground_truth) {
  return parse_results(read_file(path), path, ground_truth);
}

void write_results(const std::vector<Detection>& detections, const std::string& path) {
  json out = json::array();
  for (const auto& d : detections) {
    out.push_back({{"image_id", d.image_id},
                   {"category_id", d.instance.category},
                   {"segmentation", segmentation_to_json(d.instance.mask)},
                   {"score", d.instance.score}});
  }
  write_file_atomic(path, out.dump());
}

}  // namespace wisenet
