#include "wisenet/data/via_annotations.h"

#include <filesystem>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/csv_line.h"
#include "wisenet/data/json_fields.h"

namespace wisenet {

namespace {

namespace fs = std::filesystem;
namespace jf = json_fields;
using nlohmann::json;

// Collects one VIA file's images and regions into a builder.
class ViaReader {
 public:
  ViaReader(const std::string& path, const ViaReadOptions& options)
      : path_(path), options_(options), builder_(path) {}

  int64_t image(const std::string& file_name, const std::string& item) {
    const auto it = image_ids_.find(file_name);
    if (it != image_ids_.end()) return it->second;
    const auto [w, h] =
        foreign_image_size(file_name, options_.image_dir, path_, path_ + ": " + item);
    const int64_t id = builder_.add_image(file_name, w, h, path_ + ": " + item);
    image_ids_[file_name] = id;
    return id;
  }

  void region(int64_t image_id, const json& shape, const json& attributes,
              const std::string& item) {
    const std::string where = path_ + ": " + item;
    if (!shape.is_object()) throw Error(where + ": region_shape_attributes must be an object");
    if (shape.empty()) return;  // the CSV's line for an image without regions
    const std::string name =
        jf::as_string(jf::member(shape, "name", path_, item), path_, item, "name");
    if (name != "point" && name != "polygon") {
      builder_.drop(name);
      return;
    }
    const int category = builder_.category(class_of(attributes, item));
    if (name == "point") {
      builder_.add_point(image_id, number(shape, "cx", item), number(shape, "cy", item), category,
                         where);
      return;
    }
    const json& xs = jf::member(shape, "all_points_x", path_, item);
    const json& ys = jf::member(shape, "all_points_y", path_, item);
    if (!xs.is_array() || !ys.is_array() || xs.size() != ys.size()) {
      throw Error(where + ": all_points_x and all_points_y must be lists of the same length");
    }
    std::vector<double> xy;
    for (size_t i = 0; i < xs.size(); ++i) {
      xy.push_back(jf::as_number(xs[i], path_, item, "all_points_x"));
      xy.push_back(jf::as_number(ys[i], path_, item, "all_points_y"));
    }
    builder_.add_polygon(image_id, xy, category, where);
  }

  ForeignAnnotations finish() { return builder_.finish(); }

 private:
  double number(const json& shape, const char* key, const std::string& item) {
    return jf::as_number(jf::member(shape, key, path_, item), path_, item, key);
  }

  std::string class_of(const json& attributes, const std::string& item) {
    if (options_.class_attribute.empty()) return "object";
    const std::string where = path_ + ": " + item;
    if (!attributes.is_object() || !attributes.contains(options_.class_attribute)) {
      throw Error(where + ": no region attribute \"" + options_.class_attribute +
                  "\" (the class attribute)");
    }
    const json& value = attributes[options_.class_attribute];
    if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
    if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
    throw Error(where + ": region attribute \"" + options_.class_attribute +
                "\" must be a non-empty string or an integer, got " + value.dump());
  }

  std::string path_;
  ViaReadOptions options_;
  ForeignDatasetBuilder builder_;
  std::map<std::string, int64_t> image_ids_;
};

}  // namespace

std::pair<int, int> foreign_image_size(const std::string& file_name, const std::string& image_dir,
                                       const std::string& annotation_file,
                                       const std::string& where) {
  const fs::path folder =
      image_dir.empty() ? fs::path(annotation_file).parent_path() : fs::path(image_dir);
  const std::string path = (folder / file_name).string();
  if (!fs::is_regular_file(path)) {
    throw Error(where + ": image \"" + file_name + "\" not found at " + path +
                " (its size is needed; give the image folder)");
  }
  const cv::Mat image = cv::imread(path, cv::IMREAD_UNCHANGED);
  if (image.empty()) throw Error(where + ": cannot decode image " + path);
  return {image.cols, image.rows};
}

ForeignAnnotations read_via_json(const std::string& path, const ViaReadOptions& options) {
  const json doc = jf::parse(read_file(path), path);
  if (!doc.is_object()) throw Error(path, "a VIA file must hold a JSON object");
  const json& metadata = doc.contains("_via_img_metadata") ? doc["_via_img_metadata"] : doc;
  if (!metadata.is_object()) throw Error(path, "\"_via_img_metadata\" must be an object");
  ViaReader reader(path, options);
  for (const auto& [key, entry] : metadata.items()) {
    if (key.rfind("_via_", 0) == 0) continue;  // settings and attributes of a project file
    const std::string item = "image \"" + key + "\"";
    if (!entry.is_object()) throw Error(path, item + ": must be an object");
    const std::string file_name =
        jf::as_string(jf::member(entry, "filename", path, item), path, item, "filename");
    const int64_t image_id = reader.image(file_name, item);
    const json& regions = jf::member(entry, "regions", path, item);
    if (!regions.is_array() && !regions.is_object()) {
      throw Error(path, item + ": \"regions\" must be a list (VIA 2) or an object (VIA 1)");
    }
    size_t r = 0;
    for (const auto& [rkey, region] : regions.items()) {
      const std::string ritem =
          item + ": region " + (regions.is_array() ? std::to_string(r) : rkey);
      ++r;
      if (!region.is_object()) throw Error(path, ritem + ": must be an object");
      const json empty = json::object();
      reader.region(image_id, jf::member(region, "shape_attributes", path, ritem),
                    region.contains("region_attributes") ? region["region_attributes"] : empty,
                    ritem);
    }
  }
  return reader.finish();
}

ForeignAnnotations read_via_csv(const std::string& path, const ViaReadOptions& options) {
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line)) throw Error(path, "empty CSV, expected VIA's header");
  const auto header = csv_fields(line, path + ": line 1");
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : {"filename", "region_shape_attributes", "region_attributes"}) {
    if (!column.count(name)) {
      throw Error(path, std::string("header lacks the column \"") + name + "\" (not a VIA CSV?)");
    }
  }
  ViaReader reader(path, options);
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string item = "line " + std::to_string(line_number);
    const auto fields = csv_fields(line, path + ": " + item);
    if (fields.size() < header.size()) {
      throw Error(path, item + ": " + std::to_string(fields.size()) + " fields, the header has " +
                            std::to_string(header.size()));
    }
    const int64_t image_id = reader.image(fields[column["filename"]], item);
    const json shape = jf::parse(fields[column["region_shape_attributes"]], path + ": " + item);
    const json attributes = jf::parse(fields[column["region_attributes"]], path + ": " + item);
    reader.region(image_id, shape, attributes, item);
  }
  return reader.finish();
}

}  // namespace wisenet
