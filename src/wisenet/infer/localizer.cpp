#include "wisenet/infer/localizer.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {

std::vector<cv::Mat> probabilities_from_logits(const at::Tensor& logits) {
  torch::Tensor x = logits.detach();
  if (x.dim() == 4) {
    if (x.size(0) != 1) throw Error("probabilities_from_logits: expected one image");
    x = x[0];
  }
  if (x.dim() != 3) throw Error("probabilities_from_logits: expected (C+1)xHxW logits");
  const torch::Tensor s = torch::softmax(x.to(torch::kFloat32), 0).contiguous().cpu();
  const int channels = static_cast<int>(s.size(0));
  const int h = static_cast<int>(s.size(1)), w = static_cast<int>(s.size(2));
  std::vector<cv::Mat> maps;
  maps.reserve(channels);
  for (int c = 0; c < channels; ++c) {
    cv::Mat m(h, w, CV_32F);
    std::memcpy(m.data, s[c].data_ptr<float>(), sizeof(float) * h * w);
    maps.push_back(m);
  }
  return maps;
}

Localization localize(WiseNetImpl& model, const cv::Mat& rgb) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = model.localize(image_to_tensor(rgb));
  if (was_training) model.train();
  return localize_from_probabilities(probabilities_from_logits(logits));
}

}  // namespace wisenet
