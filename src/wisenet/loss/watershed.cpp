#include "wisenet/loss/watershed.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

// One pixel waiting in the flood queue.
// 12 bytes: ages never exceed the pixel count, so int32 suffices.
struct FloodItem {
  float elevation;
  int32_t age;
  int32_t index;
};

bool smaller(const FloodItem& a, const FloodItem& b) {
  if (a.elevation != b.elevation) return a.elevation < b.elevation;
  return a.age < b.age;
}

// skimage's array binary heap (heap_general.pxi), with its exact sift rules: std::priority_queue
// orders equal items differently and so moves some boundaries.
class FloodQueue {
 public:
  explicit FloodQueue(size_t capacity) { items_.reserve(capacity); }
  bool empty() const { return items_.empty(); }

  void push(const FloodItem& item) {
    items_.push_back(item);
    size_t child = items_.size() - 1;
    while (child > 0) {
      const size_t parent = (child + 1) / 2 - 1;
      if (!smaller(items_[child], items_[parent])) break;
      std::swap(items_[child], items_[parent]);
      child = parent;
    }
  }

  FloodItem pop() {
    const FloodItem top = items_.front();
    items_.front() = items_.back();
    items_.pop_back();
    const size_t n = items_.size();
    size_t i = 0;
    for (;;) {
      const size_t left = 2 * i + 1, right = left + 1;
      size_t smallest = i;
      if (left < n && smaller(items_[left], items_[i])) smallest = left;
      if (right < n && smaller(items_[right], items_[smallest])) smallest = right;
      if (smallest == i) break;
      std::swap(items_[i], items_[smallest]);
      i = smallest;
    }
    return top;
  }

 private:
  std::vector<FloodItem> items_;
};

}  // namespace

cv::Mat black_top_hat(const cv::Mat& p) {
  if (p.type() != CV_32FC1) throw Error("black_top_hat: input is not a CV_32F single-channel map");
  cv::Mat out;
  const cv::Mat square = cv::getStructuringElement(cv::MORPH_RECT, {7, 7});
  cv::morphologyEx(p, out, cv::MORPH_BLACKHAT, square, {-1, -1}, 1, cv::BORDER_REFLECT);
  return out;
}

cv::Mat watershed_labels(const cv::Mat& elevation, const cv::Mat& markers) {
  if (elevation.type() != CV_32FC1) throw Error("watershed_labels: elevation is not CV_32F");
  if (markers.type() != CV_32SC1 || markers.size() != elevation.size()) {
    throw Error("watershed_labels: markers must be CV_32S of the elevation's size");
  }
  const int h = elevation.rows, w = elevation.cols;
  cv::Mat labels = markers.clone();
  cv::Mat e = elevation.isContinuous() ? elevation : elevation.clone();
  const float* elev = e.ptr<float>(0);
  int* label = labels.ptr<int>(0);

  FloodQueue queue(static_cast<size_t>(h) * w);
  for (int i = 0; i < h * w; ++i) {
    if (label[i] > 0) queue.push({elev[i], 0, i});
  }
  // skimage visits the 4-neighbours in the order of its raveled offsets sorted by distance:
  // up, left, right, down.
  int32_t age = 1;
  while (!queue.empty()) {
    const FloodItem item = queue.pop();
    const int y = item.index / w, x = item.index % w;
    const int neighbours[4] = {y > 0 ? item.index - w : -1, x > 0 ? item.index - 1 : -1,
                               x + 1 < w ? item.index + 1 : -1, y + 1 < h ? item.index + w : -1};
    for (int n : neighbours) {
      if (n < 0 || label[n] != 0) continue;
      ++age;
      label[n] = label[item.index];
      queue.push({elev[n], age, n});
    }
  }
  return labels;
}

cv::Mat label_boundaries(const cv::Mat& labels) {
  if (labels.type() != CV_32SC1) throw Error("label_boundaries: labels are not CV_32S");
  const int h = labels.rows, w = labels.cols;
  cv::Mat out(h, w, CV_8U, cv::Scalar(0));
  for (int y = 0; y < h; ++y) {
    const int* row = labels.ptr<int>(y);
    const int* up = y > 0 ? labels.ptr<int>(y - 1) : nullptr;
    const int* down = y + 1 < h ? labels.ptr<int>(y + 1) : nullptr;
    uchar* o = out.ptr<uchar>(y);
    for (int x = 0; x < w; ++x) {
      const int v = row[x];
      const bool differs = (x > 0 && row[x - 1] != v) || (x + 1 < w && row[x + 1] != v) ||
                           (up && up[x] != v) || (down && down[x] != v);
      o[x] = differs ? 1 : 0;
    }
  }
  return out;
}

cv::Mat watershed_split(const cv::Mat& p, const std::vector<cv::Point>& markers) {
  if (p.type() != CV_32FC1) throw Error("watershed_split: probability map is not CV_32F");
  cv::Mat marker_image(p.size(), CV_32S, cv::Scalar(0));
  for (size_t i = 0; i < markers.size(); ++i) {
    const cv::Point& m = markers[i];
    if (m.x < 0 || m.y < 0 || m.x >= p.cols || m.y >= p.rows) {
      throw Error("watershed_split: marker " + std::to_string(i) + " (" + std::to_string(m.x) +
                  ", " + std::to_string(m.y) + ") lies outside the " + std::to_string(p.cols) +
                  "x" + std::to_string(p.rows) + " map");
    }
    marker_image.at<int>(m) = 1;
  }
  // Labels 1..K in raster order, as the authors' `points[points != 0] = arange(1, n + 1)`.
  int k = 0;
  for (int y = 0; y < p.rows; ++y) {
    int* row = marker_image.ptr<int>(y);
    for (int x = 0; x < p.cols; ++x) {
      if (row[x]) row[x] = ++k;
    }
  }
  if (k < 2) return cv::Mat(p.size(), CV_8U, cv::Scalar(0));
  return label_boundaries(watershed_labels(black_top_hat(p), marker_image));
}

}  // namespace wisenet
