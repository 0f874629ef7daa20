#include "wisenet/data/segmentation_json.h"

#include <cmath>
#include <vector>

#include "wisenet/core/error.h"
#include "wisenet/data/json_fields.h"

namespace wisenet {

namespace jf = json_fields;

Rle parse_segmentation(const nlohmann::json& seg, int height, int width, const std::string& source,
                       const std::string& item) {
  if (seg.is_object()) {
    const auto& size = jf::member(seg, "size", source, item + " segmentation");
    if (!size.is_array() || size.size() != 2) {
      throw Error(source, item + ": segmentation \"size\" must be [height, width]");
    }
    const int64_t h = jf::as_int(size[0], source, item, "size");
    const int64_t w = jf::as_int(size[1], source, item, "size");
    if (h != height || w != width) {
      throw Error(source, item + ": segmentation size " + std::to_string(h) + "x" +
                              std::to_string(w) + " differs from its image's " +
                              std::to_string(height) + "x" + std::to_string(width));
    }
    const auto& counts = jf::member(seg, "counts", source, item + " segmentation");
    if (counts.is_string()) {
      return Rle::from_string(height, width, counts.get<std::string>(), source + ": " + item);
    }
    if (counts.is_array()) {
      std::vector<int64_t> values;
      values.reserve(counts.size());
      for (const auto& c : counts) values.push_back(jf::as_int(c, source, item, "counts"));
      return Rle::from_counts(height, width, values, source + ": " + item);
    }
    throw Error(source, item + ": segmentation \"counts\" must be a string or a list");
  }
  if (seg.is_array()) {
    std::vector<Rle> parts;
    for (size_t i = 0; i < seg.size(); ++i) {
      const auto& polygon = seg[i];
      if (!polygon.is_array()) {
        throw Error(source, item + ": polygon " + std::to_string(i) + " must be a list of numbers");
      }
      if (polygon.size() < 6 || polygon.size() % 2 != 0) {
        throw Error(source, item + ": polygon " + std::to_string(i) + " has " +
                                std::to_string(polygon.size()) +
                                " coordinates; needs an even number, at least 3 points");
      }
      std::vector<double> xy;
      xy.reserve(polygon.size());
      for (const auto& v : polygon) {
        xy.push_back(jf::as_number(v, source, item, "segmentation"));
        if (std::fabs(xy.back()) > 1e6) {
          throw Error(source, item + ": polygon " + std::to_string(i) + " has coordinate " +
                                  v.dump() + ", out of range");
        }
      }
      parts.push_back(Rle::from_polygon(height, width, xy));
    }
    if (parts.empty()) throw Error(source, item + ": segmentation is an empty polygon list");
    return Rle::merge(parts);
  }
  throw Error(source, item + ": segmentation must be an RLE object or a list of polygons");
}

nlohmann::json segmentation_to_json(const Rle& mask) {
  return {{"size", {mask.height(), mask.width()}}, {"counts", mask.to_string()}};
}

}  // namespace wisenet
