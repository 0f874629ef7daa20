#include "wisenet/infer/instance_masks.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/loss/similarity.h"

namespace wisenet {

cv::Mat join_most_similar_seed(const at::Tensor& embeddings, const std::vector<cv::Point>& seeds) {
  if (!embeddings.defined() || embeddings.dim() != 3) {
    throw Error("join_most_similar_seed: embeddings must be D x H x W");
  }
  if (seeds.empty()) throw Error("join_most_similar_seed: no seeds");
  const int h = static_cast<int>(embeddings.size(1)), w = static_cast<int>(embeddings.size(2));
  std::vector<int64_t> seed_pixels;
  for (size_t k = 0; k < seeds.size(); ++k) {
    const cv::Point& s = seeds[k];
    if (s.x < 0 || s.y < 0 || s.x >= w || s.y >= h) {
      throw Error("join_most_similar_seed: seed " + std::to_string(k) + " (" +
                  std::to_string(s.x) + ", " + std::to_string(s.y) + ") lies outside the " +
                  std::to_string(h) + "x" + std::to_string(w) + " image");
    }
    seed_pixels.push_back(static_cast<int64_t>(s.y) * w + s.x);
  }
  torch::NoGradGuard no_grad;
  const at::Tensor flat = embeddings.detach().reshape({embeddings.size(0), -1});
  const at::Tensor seed_e = flat.index_select(1, torch::tensor(seed_pixels).to(flat.device()));
  const at::Tensor owner = nearest_seed(flat, seed_e);
  cv::Mat labels(h, w, CV_32S);
  const int64_t* o = owner.data_ptr<int64_t>();
  int* out = labels.ptr<int>();
  for (int64_t p = 0; p < static_cast<int64_t>(h) * w; ++p) out[p] = static_cast<int>(o[p]);
  for (size_t k = 0; k < seeds.size(); ++k) out[seed_pixels[k]] = static_cast<int>(k);
  return labels;
}

std::vector<Rle> seed_masks(const cv::Mat& labels, int count) {
  std::vector<cv::Mat> masks;
  for (int k = 0; k < count; ++k) masks.emplace_back(labels.size(), CV_8U, cv::Scalar(0));
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (row[x] >= 0 && row[x] < count) masks[row[x]].at<uint8_t>(y, x) = 1;
    }
  }
  std::vector<Rle> out;
  for (const cv::Mat& m : masks) out.push_back(Rle::from_mask(m));
  return out;
}

double dice(const Rle& a, const Rle& b) {
  const int64_t sum = a.area() + b.area();
  return sum == 0 ? 0.0 : 2.0 * static_cast<double>(a.intersection(b)) / static_cast<double>(sum);
}

}  // namespace wisenet
