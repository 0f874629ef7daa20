#pragma once
// The "most similar seed" assignment of every pixel (wisenet.md section 6, step 3) on OpenCV
// matrices, without libtorch, on the embeddings as the E-Net's FCN8 head makes them before its
// last step: a D x gh x gw grid (stride 8) whose bilinear upsampling with align_corners to the
// H x W image gives each pixel's embedding e(p). Since s.e(p) is the same interpolation of
// the grid nodes' products s.g_n, the D-term products are taken once per node (64 times fewer
// than pixels at stride 8) and the H x W x D map is never made; between two grid columns only
// the seeds that can be nearest somewhere there are interpolated per pixel. A full-resolution
// map is the grid with gh = H, gw = W.
// Usage:
//   cv::Mat grid(std::vector<int>{D, gh, gw}, CV_32F, data);  // one image's embeddings
//   cv::Mat s(K, D, CV_64F);                                   // one seed embedding per row
//   cv::Mat labels = nearest_seed(grid, s, cv::Size(W, H));    // H x W CV_32S, values 0..K-1
#include <opencv2/core.hpp>

namespace wisenet {

// e(pixel) of a D x gh x gw CV_32F grid upsampled to out_size (bilinear, align_corners: the
// node position of pixel x is x (gw - 1) / (W - 1)), in double: `out` receives D values.
void interpolate_embedding(const cv::Mat& grid, cv::Size out_size, cv::Point pixel, double* out);

// embeddings: a 3-D D x gh x gw CV_32F Mat; seeds: K x D, CV_32F or CV_64F, one seed per row,
// K >= 1; out_size: the image's size (empty: the grid's own). Returns the H x W CV_32S map of each
// pixel's nearest seed in Euclidean distance to e(p) (both forms of the similarity S decrease with
// it), ties to the lower seed index: the answer of |s|^2 - 2 s.e + |e|^2 in double precision (as
// nearest_seed of loss/similarity.h, which works on full-size tensors). A float screen (error bound
// as in nearest_seed_screen.h) decides every pixel whose two nearest seeds are further apart than
// its float error; only the others are computed in double. Rows of the image run in parallel
// (OpenMP, as many threads as cv::getNumThreads()); memory: the labels plus O(K x gw + D x K) per
// thread. object_count >= 0 makes the seeds from object_count on background seeds of one label,
// object_count: a pixel nearest to any of them gets it, and near-ties among them need no double
// computation. Throws wisenet::Error for other shapes or types.
cv::Mat nearest_seed(const cv::Mat& embeddings, const cv::Mat& seeds, cv::Size out_size = {},
                     int object_count = -1);

}  // namespace wisenet
