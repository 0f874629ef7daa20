#include "wisenet/loss/lcfcn_loss.h"

#include <cmath>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/loss/lcfcn_logits.h"
#include "wisenet/loss/lcfcn_plan.h"

namespace wisenet {
namespace {

// torch's binary_cross_entropy clamps each log at -100; we clamp every log the same way so
// that the terms match the authors' code, which is written with it.
constexpr double kLogFloor = -100.0;

at::Tensor index_tensor(const std::vector<int64_t>& indices, const at::Device& device) {
  return torch::tensor(indices, torch::dtype(torch::kLong)).to(device);
}

// sum over pixels of weights * neg_log_s0 (flat, H*W), summed in double, in neg_log_s0's
// dtype; no weights give 0.
at::Tensor weighted_sum(const PixelWeights& weights, const at::Tensor& neg_log_s0) {
  if (weights.empty()) return at::zeros({}, neg_log_s0.options());
  at::Tensor w = torch::zeros({neg_log_s0.numel()}, torch::kDouble);
  double* dense = w.data_ptr<double>();
  for (size_t k = 0; k < weights.size(); ++k) dense[weights.pixels[k]] += weights.weights[k];
  w = w.to(neg_log_s0.device());
  return (neg_log_s0.to(at::kDouble) * w).sum().to(neg_log_s0.scalar_type());
}

LcfcnTerms zero_terms(const at::TensorOptions& options) {
  LcfcnTerms t;
  t.image = at::zeros({}, options);
  t.point = at::zeros({}, options);
  t.split_local = at::zeros({}, options);
  t.split_global = at::zeros({}, options);
  t.false_positive = at::zeros({}, options);
  t.background = at::zeros({}, options);
  return t;
}

// The plan of one image from S (C+1 x H x W): blobs and boundaries from a float CPU copy.
LcfcnPlan plan_of(const at::Tensor& s, const std::vector<Point>& points,
                  const LcfcnOptions& options) {
  const at::Tensor s_map = s.detach().to(at::kCPU, at::kFloat).contiguous();
  const int64_t h = s_map.size(1), w = s_map.size(2);
  std::vector<cv::Mat> maps;
  for (int64_t c = 0; c < s_map.size(0); ++c) {
    maps.emplace_back(static_cast<int>(h), static_cast<int>(w), CV_32F,
                      s_map.data_ptr<float>() + c * h * w);
  }
  return lcfcn_plan(maps, points, options);
}

// From logits: one autograd node evaluates the whole plan (lcfcn_logits.h).
LcfcnTerms image_loss_from_logits(const at::Tensor& logits, const std::vector<Point>& points,
                                  const LcfcnOptions& options) {
  LcfcnPlan plan;
  {
    torch::NoGradGuard no_grad;
    plan = plan_of(at::softmax(logits.detach(), 0), points, options);
  }
  const at::Tensor terms = lcfcn_terms_from_logits(logits, std::move(plan), options);
  LcfcnTerms t;
  t.image = terms[0];
  t.point = terms[1];
  t.split_local = terms[2];
  t.split_global = terms[3];
  t.false_positive = terms[4];
  t.background = terms[5];
  return t;
}

// From probabilities: the plan evaluated with tensor operations on log S (log 0 read as the
// floor, with no 0 * inf in the backward pass there).
LcfcnTerms image_loss_from_probs(const at::Tensor& probs, const std::vector<Point>& points,
                                 const LcfcnOptions& options) {
  const at::Tensor positive = probs > 0;
  const at::Tensor safe = at::where(positive, probs, at::ones_like(probs));
  const at::Tensor log_s =
      at::where(positive, at::log(safe), at::full_like(safe, kLogFloor)).clamp_min(kLogFloor);
  const int64_t channels = probs.size(0);
  LcfcnTerms t = zero_terms(log_s.options());
  const LcfcnPlan plan = plan_of(probs, points, options);

  // Image level: BCE(max S_c, y_c); y_0 = 1 always.
  const at::Tensor flat_log_s = log_s.reshape({channels, -1});
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t index = plan.argmax[c];
    if (c == 0 || plan.class_points[c] > 0) {
      t.image = t.image - flat_log_s[c][index];
    } else {
      const at::Tensor s = probs[c].reshape(-1)[index];
      t.image = t.image + at::binary_cross_entropy(s, at::zeros_like(s));
    }
  }
  if (!plan.point_index.empty()) {
    t.point = -log_s.reshape(-1).index_select(0, index_tensor(plan.point_index, log_s.device())).sum();
  }
  const at::Tensor neg_log_s0 = -flat_log_s[0];
  t.split_local = weighted_sum(plan.split_local, neg_log_s0);
  t.split_global = weighted_sum(plan.split_global, neg_log_s0);
  t.false_positive = weighted_sum(plan.false_positive, neg_log_s0);
  if (options.background_term) {
    const at::Tensor mean_s0 = probs[0].mean();
    t.background = at::binary_cross_entropy(mean_s0, at::ones_like(mean_s0));
  }
  return t;
}

void check_shape(const at::Tensor& x, size_t lists, const char* what) {
  if (!x.defined() || (x.dim() != 3 && x.dim() != 4)) {
    throw Error(std::string(what) + ": expected a (C+1)xHxW or Nx(C+1)xHxW tensor");
  }
  if (!at::isFloatingType(x.scalar_type())) {
    throw Error(std::string(what) + ": expected a floating point tensor");
  }
  const int64_t channels = x.size(x.dim() - 3);
  if (channels < 2) {
    throw Error(std::string(what) + ": need at least 2 channels (background and one class), got " +
                std::to_string(channels));
  }
  const int64_t n = x.dim() == 4 ? x.size(0) : 1;
  if (static_cast<int64_t>(lists) != n) {
    throw Error(std::string(what) + ": " + std::to_string(n) + " images but " +
                std::to_string(lists) + " point lists");
  }
}

LcfcnTerms batch_loss(const at::Tensor& x, const std::vector<std::vector<Point>>& points,
                      const LcfcnOptions& options, bool from_logits) {
  check_shape(x, points.size(), from_logits ? "lcfcn_loss_from_logits" : "lcfcn_loss_from_probs");
  const at::Tensor batch = x.dim() == 3 ? x.unsqueeze(0) : x;
  const auto image_loss = [&](int64_t i) {
    // One image: a view of the whole batch, whose backward is free (selecting an image makes
    // the backward pass fill and copy a batch-sized gradient).
    const at::Tensor image = batch.size(0) == 1 ? batch.squeeze(0) : batch[i];
    return from_logits ? image_loss_from_logits(image, points[i], options)
                       : image_loss_from_probs(image, points[i], options);
  };
  if (batch.size(0) == 1) {
    LcfcnTerms t = image_loss(0);
    t.total = t.image + t.point + t.split_local + t.split_global + t.false_positive + t.background;
    return t;
  }
  LcfcnTerms sum = zero_terms(x.options());
  for (int64_t i = 0; i < batch.size(0); ++i) {
    const LcfcnTerms t = image_loss(i);
    sum.image = sum.image + t.image;
    sum.point = sum.point + t.point;
    sum.split_local = sum.split_local + t.split_local;
    sum.split_global = sum.split_global + t.split_global;
    sum.false_positive = sum.false_positive + t.false_positive;
    sum.background = sum.background + t.background;
  }
  sum.total = sum.image + sum.point + sum.split_local + sum.split_global + sum.false_positive +
              sum.background;
  return sum;
}

}  // namespace

LcfcnOptions default_lcfcn_options() { return LcfcnOptions{}; }

LcfcnTerms lcfcn_loss_from_logits(const at::Tensor& logits,
                                  const std::vector<std::vector<Point>>& points,
                                  const LcfcnOptions& options) {
  return batch_loss(logits, points, options, /*from_logits=*/true);
}

LcfcnTerms lcfcn_loss_from_logits(const at::Tensor& logits, const std::vector<Point>& points,
                                  const LcfcnOptions& options) {
  if (logits.defined() && logits.dim() == 4 && logits.size(0) != 1) {
    throw Error("lcfcn_loss_from_logits: a batch of " + std::to_string(logits.size(0)) +
                " images needs one point list per image");
  }
  return batch_loss(logits, {points}, options, /*from_logits=*/true);
}

LcfcnTerms lcfcn_loss_from_probs(const at::Tensor& probs,
                                 const std::vector<std::vector<Point>>& points,
                                 const LcfcnOptions& options) {
  return batch_loss(probs, points, options, /*from_logits=*/false);
}

LcfcnTerms lcfcn_loss_from_probs(const at::Tensor& probs, const std::vector<Point>& points,
                                 const LcfcnOptions& options) {
  if (probs.defined() && probs.dim() == 4 && probs.size(0) != 1) {
    throw Error("lcfcn_loss_from_probs: a batch of " + std::to_string(probs.size(0)) +
                " images needs one point list per image");
  }
  return batch_loss(probs, {points}, options, /*from_logits=*/false);
}

}  // namespace wisenet
