#pragma once
// Rle: a binary mask in COCO's run-length encoding, byte-compatible with pycocotools.
//
// Represents an h x w binary mask scanned in column-major order (down each column, then the
// next column) as alternating run lengths, starting with a run of zeros (which may be 0).
// Invariants kept by every constructor here: counts sum to h*w; no run after the first is 0
// (the canonical form pycocotools' encoder produces). `from_counts` accepts any counts that
// sum to h*w (as pycocotools does for uncompressed RLE) and keeps them as given.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cv {
class Mat;
}

namespace wisenet {

class Rle {
 public:
  Rle() = default;
  // An all-zero mask of the given size.
  Rle(int height, int width);

  // From a single-channel 8-bit mask; any non-zero pixel is foreground.
  static Rle from_mask(const cv::Mat& mask);
  // From uncompressed counts (COCO's list form). Throws wisenet::Error (with `where` as the
  // item name) when a count is negative or the counts do not sum to height*width.
  static Rle from_counts(int height, int width, const std::vector<int64_t>& counts,
                         const std::string& where = "RLE");
  // From pycocotools' compressed string (the LEB128-like form). Throws wisenet::Error on a
  // character outside the alphabet, an overflowing or negative count, or a wrong sum.
  static Rle from_string(int height, int width, const std::string& compressed,
                         const std::string& where = "RLE");
  // Rasterise one COCO polygon [x0, y0, x1, y1, ...] exactly as pycocotools' rleFrPoly.
  static Rle from_polygon(int height, int width, const std::vector<double>& xy);
  // Pixel-wise union (pycocotools' merge with intersect = 0); all masks must share one size.
  static Rle merge(const std::vector<Rle>& masks);

  int height() const { return height_; }
  int width() const { return width_; }
  const std::vector<uint32_t>& counts() const { return counts_; }

  // The compressed string, identical to pycocotools' encode(...)['counts'].
  std::string to_string() const;
  // An 8-bit h x w mask with 1 for foreground.
  cv::Mat to_mask() const;
  // Number of foreground pixels.
  int64_t area() const;
  // [x, y, w, h] exactly as pycocotools' toBbox (all zeros for an empty mask).
  std::array<double, 4> bbox() const;
  // Foreground pixels shared with `other` (same size required).
  int64_t intersection(const Rle& other) const;
  // Whether pixel (x, y) is foreground.
  bool contains(int x, int y) const;

  bool operator==(const Rle& other) const {
    return height_ == other.height_ && width_ == other.width_ && counts_ == other.counts_;
  }
  bool operator!=(const Rle& other) const { return !(*this == other); }

 private:
  int height_ = 0;
  int width_ = 0;
  std::vector<uint32_t> counts_;
};

// IoU as pycocotools' maskUtils.iou: intersection over union, or over the detection's area
// when the ground truth is a crowd. Two empty masks give 0.
double mask_iou(const Rle& detection, const Rle& ground_truth, bool crowd);
// Box IoU ([x, y, w, h]) with the same crowd rule, as pycocotools' bbIou.
double box_iou(const std::array<double, 4>& detection, const std::array<double, 4>& ground_truth,
               bool crowd);

}  // namespace wisenet
