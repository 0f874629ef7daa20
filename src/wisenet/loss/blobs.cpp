#include "wisenet/loss/blobs.h"

#include <string>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

void check_maps(const std::vector<cv::Mat>& probs) {
  if (probs.size() < 2) {
    throw Error("find_blobs: need at least 2 probability maps (background and one class), got " +
                std::to_string(probs.size()));
  }
  for (size_t c = 0; c < probs.size(); ++c) {
    if (probs[c].type() != CV_32FC1) {
      throw Error("find_blobs: probability map " + std::to_string(c) + " is not CV_32F");
    }
    if (probs[c].size() != probs[0].size()) {
      throw Error("find_blobs: probability map " + std::to_string(c) +
                  " differs in size from map 0");
    }
  }
}

}  // namespace

cv::Mat argmax_channel(const std::vector<cv::Mat>& probs) {
  check_maps(probs);
  const int h = probs[0].rows, w = probs[0].cols;
  if (probs.size() == 2) {
    // One class: channel 1 wins only where strictly greater, so no running maximum is needed.
    cv::Mat argmax(h, w, CV_32S);
    for (int y = 0; y < h; ++y) {
      const float* s0 = probs[0].ptr<float>(y);
      const float* s1 = probs[1].ptr<float>(y);
      int* a = argmax.ptr<int>(y);
      for (int x = 0; x < w; ++x) a[x] = s1[x] > s0[x] ? 1 : 0;
    }
    return argmax;
  }
  cv::Mat argmax(h, w, CV_32S, cv::Scalar(0));
  cv::Mat best = probs[0].clone();
  for (size_t c = 1; c < probs.size(); ++c) {
    for (int y = 0; y < h; ++y) {
      const float* s = probs[c].ptr<float>(y);
      float* b = best.ptr<float>(y);
      int* a = argmax.ptr<int>(y);
      for (int x = 0; x < w; ++x) {
        // Strictly greater: a tie keeps the lower channel, as torch.argmax does.
        if (s[x] > b[x]) {
          b[x] = s[x];
          a[x] = static_cast<int>(c);
        }
      }
    }
  }
  return argmax;
}

void check_points(const std::vector<Point>& points, int classes, int64_t height, int64_t width,
                  const std::string& where) {
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (p.x < 0 || p.y < 0 || p.x >= width || p.y >= height) {
      throw Error(where + ": point " + std::to_string(i) + " (" + std::to_string(p.x) + ", " +
                  std::to_string(p.y) + ") lies outside the " + std::to_string(width) + "x" +
                  std::to_string(height) + " image");
    }
    if (p.category < 1 || p.category > classes) {
      throw Error(where + ": point " + std::to_string(i) + " has class " +
                  std::to_string(p.category) + ", outside 1.." + std::to_string(classes));
    }
  }
}

BlobMap find_blobs(const std::vector<cv::Mat>& probs, const std::vector<Point>& points) {
  BlobMap out;
  out.argmax = argmax_channel(probs);
  const int h = probs[0].rows, w = probs[0].cols;
  const int classes = static_cast<int>(probs.size()) - 1;
  check_points(points, classes, h, w, "find_blobs");
  out.blob_index = cv::Mat(h, w, CV_32S, cv::Scalar(-1));

  for (int c = 1; c <= classes; ++c) {
    cv::Mat mask = out.argmax == c;
    cv::Mat labels;
    const int n = cv::connectedComponents(mask, labels, 8, CV_32S);
    if (n <= 1) continue;
    // OpenCV's label numbering is not promised to be raster order (its parallel variants),
    // so blobs are numbered by first appearance in our own raster scan.
    std::vector<int> blob_of_label(n, -1);
    for (int y = 0; y < h; ++y) {
      const int* l = labels.ptr<int>(y);
      int* bi = out.blob_index.ptr<int>(y);
      const float* sc = probs[c].ptr<float>(y);
      for (int x = 0; x < w; ++x) {
        if (l[x] == 0) continue;
        int& b = blob_of_label[l[x]];
        if (b < 0) {
          b = static_cast<int>(out.blobs.size());
          Blob blob;
          blob.category = c;
          blob.seed = {x, y};
          blob.seed_score = sc[x];
          out.blobs.push_back(std::move(blob));
        }
        Blob& blob = out.blobs[b];
        blob.pixels.push_back(y * w + x);
        // Strictly greater keeps the first pixel in row-major order on ties.
        if (sc[x] > blob.seed_score) {
          blob.seed_score = sc[x];
          blob.seed = {x, y};
        }
        bi[x] = b;
      }
    }
  }
  for (Blob& blob : out.blobs) blob.area = static_cast<int>(blob.pixels.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    const int b = out.blob_index.at<int>(p.y, p.x);
    if (b >= 0 && out.blobs[b].category == p.category) {
      out.blobs[b].point_indices.push_back(static_cast<int>(i));
    }
  }
  return out;
}

cv::Mat blob_mask(const Blob& blob, cv::Size size) {
  cv::Mat mask(size, CV_8U, cv::Scalar(0));
  uchar* m = mask.ptr<uchar>(0);
  for (int i : blob.pixels) m[i] = 255;
  return mask;
}

}  // namespace wisenet
