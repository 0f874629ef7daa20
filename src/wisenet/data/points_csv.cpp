#include "wisenet/data/points_csv.h"

#include <cmath>
#include <map>
#include <sstream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/data/csv_line.h"

namespace wisenet {

namespace {

double parse_number(const std::string& text, const std::string& where, const char* column) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value)) {
    throw Error(where + ": " + column + " \"" + text + "\" is not a number");
  }
  return value;
}

}  // namespace

void parse_points_csv(const std::string& text, const std::string& source, CocoDataset& dataset) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw Error(source, "empty CSV, expected a header image,x,y,class");
  const auto header = csv_fields(line, source + ": line 1");
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : {"image", "x", "y", "class"}) {
    if (column.count(name) == 0) {
      throw Error(source, std::string("header lacks the column \"") + name +
                              "\" (expected image,x,y,class)");
    }
  }
  std::map<std::string, size_t> image_by_name;
  for (size_t i = 0; i < dataset.images.size(); ++i) {
    image_by_name[dataset.images[i].file_name] = i;
    image_by_name[std::to_string(dataset.images[i].id)] = i;
  }
  std::map<std::string, int> category_by_name;
  for (const auto& c : dataset.categories) {
    category_by_name[c.name] = c.id;
    category_by_name[std::to_string(c.id)] = c.id;
  }
  int64_t next_id = 1;
  for (const auto& a : dataset.annotations) next_id = std::max(next_id, a.instance.id + 1);
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ": line " + std::to_string(line_number);
    const auto fields = csv_fields(line, where);
    if (fields.size() < header.size()) {
      throw Error(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                  std::to_string(header.size()));
    }
    const std::string& image_name = fields[column["image"]];
    const auto image = image_by_name.find(image_name);
    if (image == image_by_name.end()) throw Error(where + ": unknown image \"" + image_name + "\"");
    const std::string& class_name = fields[column["class"]];
    const auto category = category_by_name.find(class_name);
    if (category == category_by_name.end()) {
      throw Error(where + ": unknown class \"" + class_name + "\"");
    }
    const double x = parse_number(fields[column["x"]], where, "x");
    const double y = parse_number(fields[column["y"]], where, "y");
    const ImageInfo& info = dataset.images[image->second];
    if (x < 0 || y < 0 || std::floor(x) >= info.width || std::floor(y) >= info.height) {
      throw Error(where + ": point (" + fields[column["x"]] + ", " + fields[column["y"]] +
                  ") lies outside image \"" + info.file_name + "\" (" +
                  std::to_string(info.width) + "x" + std::to_string(info.height) + ")");
    }
    Annotation a;
    a.image_id = info.id;
    a.has_mask = false;
    a.instance.id = next_id++;
    a.instance.category = category->second;
    a.instance.point = Point{static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)),
                             category->second};
    dataset.annotations.push_back(std::move(a));
  }
}

void read_points_csv(const std::string& path, CocoDataset& dataset) {
  parse_points_csv(read_file(path), path, dataset);
}

void write_points_csv(const CocoDataset& dataset, const std::string& path) {
  std::ostringstream out;
  out << "image,x,y,class\n";
  std::map<int64_t, std::string> names;
  for (const auto& im : dataset.images) names[im.id] = im.file_name;
  for (const auto& a : dataset.annotations) {
    if (!a.instance.point) continue;
    out << csv_quote(names[a.image_id]) << ',' << a.instance.point->x << ',' << a.instance.point->y
        << ',' << csv_quote(dataset.category_name(a.instance.category)) << '\n';
  }
  write_file_atomic(path, out.str());
}

}  // namespace wisenet
