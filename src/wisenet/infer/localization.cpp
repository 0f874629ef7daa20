#include "wisenet/infer/localization.h"

namespace wisenet {

std::vector<int> Localization::counts() const {
  std::vector<int> result(probabilities.size(), 0);
  for (const auto& o : objects) ++result.at(o.channel);
  return result;
}

Localization localize_from_probabilities(std::vector<cv::Mat> probabilities) {
  Localization result;
  result.blob_map = find_blobs(probabilities, {});
  for (const Blob& blob : result.blob_map.blobs) {
    const cv::Mat& p = probabilities.at(blob.category);
    const float* data = p.ptr<float>();
    double sum = 0;
    for (int index : blob.pixels) sum += data[index];
    LocatedObject o;
    o.channel = blob.category;
    o.seed = blob.seed;
    o.area = blob.area;
    o.max_probability = blob.seed_score;
    o.mean_probability = blob.area > 0 ? static_cast<float>(sum / blob.area) : 0.f;
    result.objects.push_back(o);
  }
  result.probabilities = std::move(probabilities);
  return result;
}

}  // namespace wisenet
