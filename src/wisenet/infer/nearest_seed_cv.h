#pragma once
// The "most similar seed" assignment of every pixel (wisenet.md section 6, step 3) on OpenCV
// matrices, without libtorch: the same numbers as nearest_seed in loss/similarity.h, which
// works on tensors. Used by the OpenCV dnn prediction path (deploy/onnx_runner.h).
// Usage:
//   cv::Mat e(std::vector<int>{D, H, W}, CV_32F, data);  // one image's embeddings
//   cv::Mat s(K, D, CV_32F);                              // one seed embedding per row
//   cv::Mat labels = nearest_seed(e, s);                  // H x W CV_32S, values 0..K-1
#include <opencv2/core.hpp>

namespace wisenet {

// embeddings: a 3-D D x H x W CV_32F Mat; seeds: K x D CV_32F, one seed per row, K >= 1.
// Returns the H x W CV_32S map of each pixel's nearest seed in Euclidean distance (both forms
// of the similarity S decrease with it), ties to the lower seed index. As the tensor version:
// |s|^2 - 2 s.e + |e|^2 in double precision, |e|^2 as the square of the Euclidean norm. So the
// two agree exactly wherever two seeds' distances are equal in exact arithmetic on exactly
// representable sums, or differ by more than double rounding (the tensor version's matrix
// product may sum in another order). Rows of the image run in parallel (cv::parallel_for_);
// memory: the labels plus O(D x K) per thread. Throws wisenet::Error for other shapes or types.
cv::Mat nearest_seed(const cv::Mat& embeddings, const cv::Mat& seeds);

}  // namespace wisenet
