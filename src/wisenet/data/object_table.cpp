#include "wisenet/data/object_table.h"

#include <sstream>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/data/csv_line.h"

namespace wisenet {

std::string object_table_header() {
  return "image,object_id,class,score,seed_x,seed_y,centroid_x,centroid_y,area,bbox_x,bbox_y,"
         "bbox_w,bbox_h\n";
}

std::string object_table_rows(const std::string& image, const std::vector<Instance>& instances,
                              const std::vector<std::pair<int, std::string>>& class_names) {
  std::ostringstream out;
  out.precision(6);
  for (size_t i = 0; i < instances.size(); ++i) {
    const Instance& in = instances[i];
    std::string name = std::to_string(in.category);
    for (const auto& [id, n] : class_names) {
      if (id == in.category) name = n;
    }
    out << csv_quote(image) << ',' << i + 1 << ',' << csv_quote(name) << ',' << in.score << ',';
    if (in.point) {
      out << in.point->x << ',' << in.point->y << ',';
    } else {
      out << ",,";
    }
    const cv::Mat mask = in.mask.height() > 0 ? in.mask.to_mask() : cv::Mat();
    const cv::Moments m = mask.empty() ? cv::Moments() : cv::moments(mask, true);
    if (m.m00 > 0) {
      out << m.m10 / m.m00 << ',' << m.m01 / m.m00 << ',';
    } else {
      out << ",,";
    }
    const auto box = in.mask.height() > 0 ? in.mask.bbox() : in.bbox;
    out << static_cast<int64_t>(m.m00) << ',' << box[0] << ',' << box[1] << ',' << box[2] << ','
        << box[3] << '\n';
  }
  return out.str();
}

cv::Mat instance_label_image(const std::vector<Instance>& instances, int height, int width) {
  if (instances.size() > 65535) {
    throw Error("label image: " + std::to_string(instances.size()) +
                " objects do not fit 16-bit ids (at most 65535)");
  }
  cv::Mat labels(height, width, CV_16UC1, cv::Scalar(0));
  for (size_t i = 0; i < instances.size(); ++i) {
    const Rle& mask = instances[i].mask;
    if (mask.height() != height || mask.width() != width) {
      throw Error("label image: object " + std::to_string(i + 1) + " has a mask of " +
                  std::to_string(mask.width()) + "x" + std::to_string(mask.height()) +
                  ", the image is " + std::to_string(width) + "x" + std::to_string(height));
    }
    const cv::Mat m = mask.to_mask();
    const cv::Mat free = (labels == 0) & (m != 0);
    labels.setTo(cv::Scalar(static_cast<double>(i + 1)), free);
  }
  return labels;
}

}  // namespace wisenet
