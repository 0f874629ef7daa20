#include "wisenet/loss/lcfcn_logits.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace wisenet {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// torch's binary_cross_entropy clamps each log at -100; the loss clamps every log the same
// way (the authors' code is written with it), and a clamped log has no gradient.
constexpr double kLogFloor = -100.0;

enum Term { kImage, kPoint, kSplitLocal, kSplitGlobal, kFalsePositive, kBackground, kTerms };

// log S_k at one pixel for every channel k, in double, and log-sum-exp of the logits there.
template <typename T>
double log_softmax_at(const T* o, int64_t channels, int64_t stride, int64_t pixel,
                      double* log_s) {
  double m = -INFINITY;
  for (int64_t k = 0; k < channels; ++k) m = std::max(m, static_cast<double>(o[k * stride + pixel]));
  double sum = 0;
  for (int64_t k = 0; k < channels; ++k) sum += std::exp(static_cast<double>(o[k * stride + pixel]) - m);
  const double lse = m + std::log(sum);
  for (int64_t k = 0; k < channels; ++k) log_s[k] = static_cast<double>(o[k * stride + pixel]) - lse;
  return lse;
}

// log(1 - S_c) at one pixel: log-sum-exp over the other channels minus over all (finite with a
// finite gradient even where S_c rounds to 1).
template <typename T>
double log_one_minus_at(const T* o, int64_t channels, int64_t stride, int64_t pixel, int64_t c,
                        double lse) {
  double m = -INFINITY;
  for (int64_t k = 0; k < channels; ++k) {
    if (k != c) m = std::max(m, static_cast<double>(o[k * stride + pixel]));
  }
  double sum = 0;
  for (int64_t k = 0; k < channels; ++k) {
    if (k != c) sum += std::exp(static_cast<double>(o[k * stride + pixel]) - m);
  }
  return m + std::log(sum) - lse;
}

// Everything the backward pass needs besides the logits, kept in the node as a capsule.
struct Saved : torch::CustomClassHolder {
  LcfcnPlan plan;
  bool background = false;
  // log S at each weighted pixel of the split and false-positive maps, in the maps' order
  // (channels values a pixel), from the forward pass: the backward pass reads the very values
  // it would recompute from the same logits.
  std::vector<double> map_log_s;
};

// Runs `f` with the logits' data pointer typed as float or double.
template <typename F>
void with_data(const at::Tensor& o, F&& f) {
  if (o.scalar_type() == at::kDouble) {
    f(o.data_ptr<double>());
  } else {
    f(o.data_ptr<float>());
  }
}

template <typename T>
std::vector<double> forward_terms(const T* o, const LcfcnPlan& plan, bool background,
                                  std::vector<double>& map_log_s) {
  const int64_t channels = plan.channels, stride = plan.height * plan.width;
  std::vector<double> terms(kTerms, 0.0), log_s(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t p = plan.argmax[c];
    const double lse = log_softmax_at(o, channels, stride, p, log_s.data());
    const double log_value = (c == 0 || plan.class_points[c] > 0)
                                 ? log_s[c]
                                 : log_one_minus_at(o, channels, stride, p, c, lse);
    terms[kImage] -= std::max(log_value, kLogFloor);
  }
  for (int64_t index : plan.point_index) {
    const int64_t c = index / stride, p = index % stride;
    log_softmax_at(o, channels, stride, p, log_s.data());
    terms[kPoint] -= std::max(log_s[c], kLogFloor);
  }
  const PixelWeights* maps[3] = {&plan.split_local, &plan.split_global, &plan.false_positive};
  map_log_s.resize(
      (plan.split_local.size() + plan.split_global.size() + plan.false_positive.size()) *
      static_cast<size_t>(channels));
  double* cached = map_log_s.data();
  for (int t = 0; t < 3; ++t) {
    const PixelWeights& w = *maps[t];
    double sum = 0;
    for (size_t k = 0; k < w.size(); ++k, cached += channels) {
      log_softmax_at(o, channels, stride, w.pixels[k], cached);
      sum -= w.weights[k] * std::max(cached[0], kLogFloor);
    }
    terms[kSplitLocal + t] = sum;
  }
  if (background) {
    // log(mean S_0) = logsumexp over pixels of log S_0 - log(HW), stable for any logits.
    std::vector<double> log_s0(stride);
    double m = -INFINITY;
    for (int64_t p = 0; p < stride; ++p) {
      log_softmax_at(o, channels, stride, p, log_s.data());
      log_s0[p] = log_s[0];
      m = std::max(m, log_s0[p]);
    }
    double sum = 0;
    for (double v : log_s0) sum += std::exp(v - m);
    terms[kBackground] =
        -std::max(m + std::log(sum) - std::log(static_cast<double>(stride)), kLogFloor);
  }
  return terms;
}

template <typename T>
void backward_terms(const T* o, const Saved& saved, const double* g, T* grad) {
  const LcfcnPlan& plan = saved.plan;
  const int64_t channels = plan.channels, stride = plan.height * plan.width;
  std::vector<double> log_s(channels);
  // Adds `weight` * d(-log S_c)/dO at pixel p unless log S_c is clamped there; `at` holds
  // log S at p.
  const auto add_neg_log_at = [&](int64_t c, int64_t p, double weight, const double* at) {
    if (at[c] < kLogFloor) return;
    for (int64_t k = 0; k < channels; ++k) {
      grad[k * stride + p] += static_cast<T>(weight * (std::exp(at[k]) - (k == c ? 1.0 : 0.0)));
    }
  };
  const auto add_neg_log = [&](int64_t c, int64_t p, double weight) {
    log_softmax_at(o, channels, stride, p, log_s.data());
    add_neg_log_at(c, p, weight, log_s.data());
  };
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t p = plan.argmax[c];
    if (c == 0 || plan.class_points[c] > 0) {
      add_neg_log(c, p, g[kImage]);
      continue;
    }
    // d(-log(1 - q))/dO_k = q (δ_kc - S_k) / (1 - q), q = S_c.
    const double lse = log_softmax_at(o, channels, stride, p, log_s.data());
    const double log1m = log_one_minus_at(o, channels, stride, p, c, lse);
    if (log1m < kLogFloor) continue;
    const double ratio = std::exp(log_s[c] - log1m);  // q / (1 - q)
    for (int64_t k = 0; k < channels; ++k) {
      const double d = (k == c ? 1.0 : 0.0) - std::exp(log_s[k]);
      grad[k * stride + p] += static_cast<T>(g[kImage] * ratio * d);
    }
  }
  for (int64_t index : plan.point_index) add_neg_log(index / stride, index % stride, g[kPoint]);
  // The weights on -log S_0 of the split and false-positive terms.
  const PixelWeights* maps[3] = {&plan.split_local, &plan.split_global, &plan.false_positive};
  const double* cached = saved.map_log_s.data();
  for (int t = 0; t < 3; ++t) {
    const PixelWeights& w = *maps[t];
    if (g[kSplitLocal + t] != 0) {
      for (size_t k = 0; k < w.size(); ++k) {
        add_neg_log_at(0, w.pixels[k], g[kSplitLocal + t] * w.weights[k], cached + k * channels);
      }
    }
    cached += w.size() * channels;
  }
  if (saved.background && g[kBackground] != 0) {
    // -(logsumexp_p log S_0(p) - log HW): d/dO_k(p) = -(S_0(p) / sum S_0) (δ_k0 - S_k(p)).
    std::vector<double> s0(stride);
    double total = 0;
    for (int64_t p = 0; p < stride; ++p) {
      log_softmax_at(o, channels, stride, p, log_s.data());
      s0[p] = std::exp(log_s[0]);
      total += s0[p];
    }
    if (std::log(total / static_cast<double>(stride)) < kLogFloor) return;
    for (int64_t p = 0; p < stride; ++p) {
      log_softmax_at(o, channels, stride, p, log_s.data());
      const double share = -g[kBackground] * s0[p] / total;
      for (int64_t k = 0; k < channels; ++k) {
        grad[k * stride + p] +=
            static_cast<T>(share * ((k == 0 ? 1.0 : 0.0) - std::exp(log_s[k])));
      }
    }
  }
}

class LcfcnLogitsFunction : public torch::autograd::Function<LcfcnLogitsFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& logits,
                            c10::intrusive_ptr<Saved> saved) {
    const at::Tensor o = logits.contiguous();
    std::vector<double> terms;
    with_data(o, [&](auto* data) {
      terms = forward_terms(data, saved->plan, saved->background, saved->map_log_s);
    });
    ctx->save_for_backward({o});
    ctx->saved_data["plan"] = c10::IValue::make_capsule(std::move(saved));
    return torch::tensor(terms, torch::kDouble).to(logits.scalar_type());
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const at::Tensor o = ctx->get_saved_variables()[0];
    const at::Tensor g = grad_outputs[0].to(at::kDouble).contiguous();
    // Zeroed on this thread: an image-sized fill is too small to be worth waking the other
    // intra-op threads (at::zeros_like would), and the gradient is sparse.
    at::Tensor grad = at::empty_like(o, at::MemoryFormat::Contiguous);
    std::memset(grad.data_ptr(), 0, grad.nbytes());
    const auto saved = c10::static_intrusive_pointer_cast<Saved>(ctx->saved_data["plan"].toCapsule());
    with_data(o, [&](auto* data) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(data)>>;
      backward_terms(data, *saved, g.data_ptr<double>(), grad.data_ptr<T>());
    });
    return {grad, at::Tensor()};
  }
};

}  // namespace

at::Tensor lcfcn_terms_from_logits(const at::Tensor& logits, LcfcnPlan plan,
                                   const LcfcnOptions& options) {
  auto saved = c10::make_intrusive<Saved>();
  saved->plan = std::move(plan);
  saved->background = options.background_term;
  const at::Tensor cpu =
      logits.to(at::kCPU, logits.scalar_type() == at::kDouble ? at::kDouble : at::kFloat);
  return LcfcnLogitsFunction::apply(cpu, std::move(saved)).to(logits.device());
}
}  // namespace wisenet
