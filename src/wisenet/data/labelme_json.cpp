#include "wisenet/data/labelme_json.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/json_fields.h"

namespace wisenet {

namespace {

namespace fs = std::filesystem;
namespace jf = json_fields;
using nlohmann::json;

std::vector<double> flat_points(const json& points, const std::string& source,
                                const std::string& item) {
  if (!points.is_array()) throw Error(source, item + ": \"points\" must be a list of [x, y]");
  std::vector<double> xy;
  for (const json& p : points) {
    if (!p.is_array() || p.size() != 2) {
      throw Error(source, item + ": \"points\" must be a list of [x, y]");
    }
    xy.push_back(jf::as_number(p[0], source, item, "points"));
    xy.push_back(jf::as_number(p[1], source, item, "points"));
  }
  return xy;
}

// One file's shapes into the builder. The file's own name is the source in its errors.
void read_file_into(const std::string& path, ForeignDatasetBuilder& builder) {
  const json doc = jf::parse(read_file(path), path);
  if (!doc.is_object()) throw Error(path, "a LabelMe file must hold a JSON object");
  const std::string image_path =
      jf::as_string(jf::member(doc, "imagePath", path, "file"), path, "file", "imagePath");
  const int width = static_cast<int>(
      jf::as_int(jf::member(doc, "imageWidth", path, "file"), path, "file", "imageWidth"));
  const int height = static_cast<int>(
      jf::as_int(jf::member(doc, "imageHeight", path, "file"), path, "file", "imageHeight"));
  const int64_t image_id = builder.add_image(image_path, width, height, path + ": file");
  const json& shapes = jf::member(doc, "shapes", path, "file");
  if (!shapes.is_array()) throw Error(path, "\"shapes\" must be a list");

  // group_id -> (label -> annotation indices of its points and of its polygons)
  struct Group {
    std::vector<size_t> points, polygons;
  };
  std::map<std::pair<int64_t, std::string>, Group> groups;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const json& shape = shapes[i];
    const std::string item = "shape " + std::to_string(i);
    const std::string where = path + ": " + item;
    if (!shape.is_object()) throw Error(path, item + ": must be a JSON object");
    const std::string label =
        jf::as_string(jf::member(shape, "label", path, item), path, item, "label");
    const std::string type = shape.contains("shape_type") && !shape["shape_type"].is_null()
                                 ? jf::as_string(shape["shape_type"], path, item, "shape_type")
                                 : "polygon";
    if (type != "point" && type != "polygon") {
      builder.drop(type);
      continue;
    }
    const std::vector<double> xy = flat_points(jf::member(shape, "points", path, item), path, item);
    const int category = builder.category(label);
    size_t index = 0;
    if (type == "point") {
      if (xy.size() != 2) {
        throw Error(path, item + ": a point shape needs exactly one [x, y], got " +
                              std::to_string(xy.size() / 2));
      }
      index = builder.add_point(image_id, xy[0], xy[1], category, where);
    } else {
      index = builder.add_polygon(image_id, xy, category, where);
    }
    if (shape.contains("group_id") && !shape["group_id"].is_null()) {
      Group& g = groups[{jf::as_int(shape["group_id"], path, item, "group_id"), label}];
      (type == "point" ? g.points : g.polygons).push_back(index);
    }
  }
  for (const auto& [key, g] : groups) {
    if (g.points.size() == 1 && g.polygons.size() == 1) {
      builder.join_point_to_mask(g.points[0], g.polygons[0]);
    }
  }
}

}  // namespace

ForeignAnnotations read_labelme(const std::string& path) {
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw Error(path, "no LabelMe .json file in this folder");
  } else {
    files.push_back(path);
  }
  ForeignDatasetBuilder builder(path);
  for (const auto& file : files) read_file_into(file, builder);
  return builder.finish();
}

}  // namespace wisenet
