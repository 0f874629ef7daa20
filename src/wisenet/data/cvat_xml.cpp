#include "wisenet/data/cvat_xml.h"

#include <tinyxml2.h>

#include <cmath>
#include <cstdlib>

#include <opencv2/core.hpp>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"

namespace wisenet {

namespace {

using tinyxml2::XMLElement;

std::string attribute(const XMLElement& e, const char* name, const std::string& where) {
  const char* value = e.Attribute(name);
  if (value == nullptr) throw Error(where + ": no attribute \"" + name + "\"");
  return value;
}

double number(const std::string& text, const std::string& where, const char* what) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  while (end != nullptr && (*end == ' ' || *end == '\t')) ++end;
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v)) {
    throw Error(where + ": " + what + " \"" + text + "\" is not a number");
  }
  return v;
}

int whole(const XMLElement& e, const char* name, const std::string& where) {
  const double v = number(attribute(e, name, where), where, name);
  if (v != std::floor(v) || v < 0 || v > 1e9) {
    throw Error(where + ": " + name + " must be a non-negative whole number");
  }
  return static_cast<int>(v);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

// "x1,y1;x2,y2" -> {x1, y1, x2, y2}.
std::vector<double> point_list(const std::string& text, const std::string& where) {
  std::vector<double> xy;
  for (const std::string& pair : split(text, ';')) {
    const auto v = split(pair, ',');
    if (v.size() != 2) throw Error(where + ": points \"" + pair + "\" is not x,y");
    xy.push_back(number(v[0], where, "x"));
    xy.push_back(number(v[1], where, "y"));
  }
  return xy;
}

// CVAT's mask: runs alternating from background, row-major within the box.
Rle cvat_mask(const XMLElement& e, const ImageInfo& image, const std::string& where) {
  const int left = whole(e, "left", where), top = whole(e, "top", where);
  const int width = whole(e, "width", where), height = whole(e, "height", where);
  if (width == 0 || height == 0 || left + width > image.width || top + height > image.height) {
    throw Error(where + ": mask box (" + std::to_string(left) + ", " + std::to_string(top) + ", " +
                std::to_string(width) + "x" + std::to_string(height) + ") leaves the image (" +
                std::to_string(image.width) + "x" + std::to_string(image.height) + ")");
  }
  cv::Mat full(image.height, image.width, CV_8UC1, cv::Scalar(0));
  int64_t at = 0;
  const int64_t total = int64_t{width} * height;
  bool foreground = false;
  for (const std::string& run_text : split(attribute(e, "rle", where), ',')) {
    const double run = number(run_text, where, "rle count");
    if (run < 0 || run != std::floor(run) || at + run > total) {
      throw Error(where + ": rle counts exceed the mask box (" + std::to_string(total) +
                  " pixels) or are not whole numbers");
    }
    if (foreground) {
      for (int64_t k = at; k < at + static_cast<int64_t>(run); ++k) {
        full.at<uint8_t>(top + static_cast<int>(k / width), left + static_cast<int>(k % width)) = 1;
      }
    }
    at += static_cast<int64_t>(run);
    foreground = !foreground;
  }
  if (at != total) {
    throw Error(where + ": rle counts sum to " + std::to_string(at) + ", the box has " +
                std::to_string(total) + " pixels");
  }
  return Rle::from_mask(full);
}

// The labels CVAT lists in <meta> (task or project), in order.
void declare_labels(const XMLElement& root, ForeignDatasetBuilder& builder) {
  const XMLElement* meta = root.FirstChildElement("meta");
  if (meta == nullptr) return;
  for (const char* owner : {"task", "project", "job"}) {
    const XMLElement* o = meta->FirstChildElement(owner);
    const XMLElement* labels = o ? o->FirstChildElement("labels") : nullptr;
    if (labels == nullptr) continue;
    for (const XMLElement* l = labels->FirstChildElement("label"); l;
         l = l->NextSiblingElement("label")) {
      const XMLElement* name = l->FirstChildElement("name");
      if (name && name->GetText()) builder.category(name->GetText());
    }
    return;
  }
}

}  // namespace

ForeignAnnotations parse_cvat(const std::string& text, const std::string& source) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(text.c_str(), text.size()) != tinyxml2::XML_SUCCESS) {
    throw Error(source, std::string("malformed XML: ") + doc.ErrorStr());
  }
  const XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string(root->Name()) != "annotations") {
    throw Error(source, "the root element must be <annotations> (CVAT for images 1.1)");
  }
  ForeignDatasetBuilder builder(source);
  declare_labels(*root, builder);
  int image_number = 0;
  for (const XMLElement* e = root->FirstChildElement(); e; e = e->NextSiblingElement()) {
    const std::string tag = e->Name();
    if (tag == "version" || tag == "meta") continue;
    if (tag != "image") {
      builder.drop(tag);
      continue;
    }
    const std::string item = "image " + std::to_string(image_number++);
    const std::string where = source + ": " + item;
    const std::string name = attribute(*e, "name", where);
    const int64_t image_id =
        builder.add_image(name, whole(*e, "width", where), whole(*e, "height", where), where);
    int shape_number = 0;
    for (const XMLElement* s = e->FirstChildElement(); s; s = s->NextSiblingElement()) {
      const std::string kind = s->Name();
      const std::string swhere =
          source + ": image \"" + name + "\": " + kind + " " + std::to_string(shape_number++);
      if (kind != "points" && kind != "polygon" && kind != "mask") {
        builder.drop(kind);
        continue;
      }
      const int category = builder.category(attribute(*s, "label", swhere));
      if (kind == "mask") {
        builder.add_mask(image_id, cvat_mask(*s, builder.image(image_id), swhere), category,
                         swhere);
        continue;
      }
      const std::vector<double> xy = point_list(attribute(*s, "points", swhere), swhere);
      if (kind == "polygon") {
        builder.add_polygon(image_id, xy, category, swhere);
      } else {
        for (size_t k = 0; k < xy.size(); k += 2) {
          builder.add_point(image_id, xy[k], xy[k + 1], category, swhere);
        }
      }
    }
  }
  return builder.finish();
}

ForeignAnnotations read_cvat(const std::string& path) { return parse_cvat(read_file(path), path); }

}  // namespace wisenet
