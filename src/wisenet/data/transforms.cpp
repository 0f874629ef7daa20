#include "wisenet/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/data/annotation_rescale.h"

namespace wisenet {

Sample flip_horizontal(const Sample& sample) {
  Sample out = sample;
  // A copied Sample shares its pixels with `sample`: give the output its own buffer so the
  // source (often a cached training image) is never written.
  out.image = cv::Mat();
  cv::flip(sample.image, out.image, 1);
  const int w = sample.image.cols;
  for (auto& p : out.points) p.x = w - 1 - p.x;
  for (auto& inst : out.instances) {
    if (inst.mask.height() > 0) {
      cv::Mat m = inst.mask.to_mask();
      cv::flip(m, m, 1);
      inst.mask = Rle::from_mask(m);
      inst.bbox = inst.mask.bbox();
      inst.area = static_cast<double>(inst.mask.area());
    }
    if (inst.point) inst.point->x = w - 1 - inst.point->x;
  }
  return out;
}

cv::Size rescaled_size(cv::Size size, double factor) {
  return cv::Size(std::max(1, static_cast<int>(std::lround(size.width * factor))),
                  std::max(1, static_cast<int>(std::lround(size.height * factor))));
}

Sample rescale(const Sample& sample, double factor) {
  if (!(factor > 0)) throw Error("rescale: factor must be > 0");
  const cv::Size scaled = rescaled_size(sample.image.size(), factor);
  const int w = scaled.width;
  const int h = scaled.height;
  Sample out = sample;
  out.image = cv::Mat();  // never write into the source's shared pixels
  cv::resize(sample.image, out.image, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  const auto map_point = [&](const Point& p) {
    return rescale_point(p, sample.image.size(), cv::Size(w, h));
  };
  for (auto& p : out.points) p = map_point(p);
  std::vector<Instance> kept;
  for (const auto& inst : sample.instances) {
    Instance scaled = inst;
    if (inst.mask.height() > 0) {
      cv::Mat m;
      cv::resize(inst.mask.to_mask(), m, cv::Size(w, h), 0, 0, cv::INTER_NEAREST);
      scaled.mask = Rle::from_mask(m);
      if (scaled.mask.area() == 0) continue;
      scaled.bbox = scaled.mask.bbox();
      scaled.area = static_cast<double>(scaled.mask.area());
    }
    if (inst.point) scaled.point = map_point(*inst.point);
    kept.push_back(std::move(scaled));
  }
  out.instances = std::move(kept);
  return out;
}

}  // namespace wisenet
