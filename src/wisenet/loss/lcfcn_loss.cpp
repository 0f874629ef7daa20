#include "wisenet/loss/lcfcn_loss.h"

#include <cmath>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/loss/blobs.h"
#include "wisenet/loss/watershed.h"

namespace wisenet {
namespace {

// torch's binary_cross_entropy clamps each log at -100; we clamp every log the same way so
// that the terms match the authors' code, which is written with it.
constexpr double kLogFloor = -100.0;

// The per-image inputs of the loss. `log_s` ((C+1)xHxW, clamped at kLogFloor) carries the
// gradient; exactly one of `logits` / `probs` is defined and gives log(1 - S_c) for the image
// term of an absent class.
struct ImageOutputs {
  at::Tensor log_s;
  at::Tensor logits;
  at::Tensor probs;
};

at::Tensor index_tensor(const std::vector<int64_t>& indices, const at::Device& device) {
  return torch::tensor(indices, torch::dtype(torch::kLong)).to(device);
}

// A weight per pixel for one term: the term is sum over pixels of weight * (-log S_0).
class WeightMap {
 public:
  explicit WeightMap(int64_t pixels) : weights_(pixels, 0.0) {}
  // Adds `weight` * (mean over `pixels` of -log S_0); no pixels add nothing.
  template <typename Index>
  void add_mean(const std::vector<Index>& pixels, double weight) {
    if (pixels.empty()) return;
    const double share = weight / static_cast<double>(pixels.size());
    for (Index p : pixels) weights_[p] += share;
    used_ = true;
  }
  // The term, in the dtype of `neg_log_s0` (flat, H*W); summed in double.
  at::Tensor apply(const at::Tensor& neg_log_s0) const {
    if (!used_) return at::zeros({}, neg_log_s0.options());
    // A copy: the backward pass reads the weights after this map is gone.
    const at::Tensor w =
        torch::from_blob(const_cast<double*>(weights_.data()),
                         {static_cast<int64_t>(weights_.size())}, torch::kDouble)
            .clone()
            .to(neg_log_s0.device());
    return (neg_log_s0.to(at::kDouble) * w).sum().to(neg_log_s0.scalar_type());
  }

 private:
  std::vector<double> weights_;
  bool used_ = false;
};

// log(1 - S_c) at flat pixel `index`, from whichever outputs we were given.
at::Tensor log_one_minus(const ImageOutputs& out, int c, int64_t index) {
  if (out.logits.defined()) {
    // log(1 - S_c) = logsumexp over the other channels - logsumexp over all: finite and with a
    // finite gradient even where S_c rounds to 1.
    const at::Tensor scores = out.logits.reshape({out.logits.size(0), -1}).select(1, index);
    std::vector<int64_t> others;
    for (int64_t k = 0; k < scores.size(0); ++k) {
      if (k != c) others.push_back(k);
    }
    const at::Tensor rest = scores.index_select(0, index_tensor(others, scores.device()));
    return (at::logsumexp(rest, 0) - at::logsumexp(scores, 0)).clamp_min(kLogFloor);
  }
  const at::Tensor s = out.probs[c].reshape(-1)[index];
  return -at::binary_cross_entropy(s, at::zeros_like(s));
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

std::vector<cv::Point> pixels_of(const std::vector<Point>& points, const std::vector<int>& which) {
  std::vector<cv::Point> out;
  out.reserve(which.size());
  for (int i : which) out.emplace_back(points[i].x, points[i].y);
  return out;
}

LcfcnTerms image_loss(const ImageOutputs& out, const std::vector<Point>& points,
                      const LcfcnOptions& options) {
  const at::Tensor& log_s = out.log_s;
  const int64_t channels = log_s.size(0), h = log_s.size(1), w = log_s.size(2);
  LcfcnTerms t = zero_terms(log_s.options());

  // Blobs and boundaries: no gradient, from a float CPU copy of S (this same forward pass).
  at::Tensor s_map;
  {
    torch::NoGradGuard no_grad;
    const at::Tensor s = out.logits.defined() ? at::softmax(out.logits, 0) : out.probs;
    s_map = s.detach().to(at::kCPU, at::kFloat).contiguous();
  }
  std::vector<cv::Mat> maps;
  for (int64_t c = 0; c < channels; ++c) {
    maps.emplace_back(static_cast<int>(h), static_cast<int>(w), CV_32F,
                      s_map.data_ptr<float>() + c * h * w);
  }
  const BlobMap blobs = find_blobs(maps, points);  // also validates the points

  // Image level: BCE(max S_c, y_c); y_0 = 1 always.
  std::vector<int> class_points(channels, 0);
  for (const Point& p : points) ++class_points[p.category];
  const at::Tensor flat_log_s = log_s.reshape({channels, -1});
  const at::Tensor argmax = s_map.reshape({channels, -1}).argmax(1);
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t index = argmax[c].item<int64_t>();
    if (c == 0 || class_points[c] > 0) {
      t.image = t.image - flat_log_s[c][index];
    } else {
      t.image = t.image - log_one_minus(out, static_cast<int>(c), index);
    }
  }

  // Point level: a sum over points.
  if (!points.empty()) {
    std::vector<int64_t> indices;
    for (const Point& p : points) indices.push_back((p.category * h + p.y) * w + p.x);
    t.point = -log_s.reshape(-1).index_select(0, index_tensor(indices, log_s.device())).sum();
  }

  const at::Tensor neg_log_s0 = -flat_log_s[0];

  // Every split the loss needs: the local split of each blob holding two or more points of its
  // class, and the global split of each class with two or more points.
  struct Split {
    int64_t category;
    std::vector<cv::Point> markers;
    const std::vector<int>* within;  // the blob's pixels; null for a global split
    double weight;
    std::vector<int64_t> boundary;
  };
  std::vector<Split> splits;
  for (const Blob& blob : blobs.blobs) {
    const int n = blob.point_count();
    if (n < 2) continue;
    const double weight =
        options.local_split_weight == LocalSplitWeight::kPointsPlusOne ? n + 1 : n - 1;
    splits.push_back({blob.category, pixels_of(points, blob.point_indices), &blob.pixels, weight, {}});
  }
  if (options.global_split) {
    for (int64_t c = 1; c < channels; ++c) {
      if (class_points[c] < 2) continue;
      std::vector<int> of_class;
      for (size_t i = 0; i < points.size(); ++i) {
        if (points[i].category == c) of_class.push_back(static_cast<int>(i));
      }
      splits.push_back({c, pixels_of(points, of_class), nullptr,
                        static_cast<double>(class_points[c] - 1), {}});
    }
  }

  // One splitter per class (its black top-hat and elevation ranks serve all its splits); the
  // floods are independent and run on the intra-op threads.
  std::vector<std::unique_ptr<WatershedSplitter>> splitters(channels);
  for (const Split& split : splits) {
    if (!splitters[split.category]) {
      splitters[split.category] = std::make_unique<WatershedSplitter>(maps[split.category]);
    }
  }
  at::parallel_for(0, static_cast<int64_t>(splits.size()), 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      Split& split = splits[k];
      split.boundary = splitters[split.category]->boundary_pixels(split.markers, split.within);
    }
  });

  // Each term is a weighted sum of -log S_0 over pixels (a mean over each boundary or blob):
  // gathered into one weight map per term, so a term costs one product whatever the number of
  // blobs.
  WeightMap local(h * w), global(h * w), false_positive(h * w);
  for (const Split& split : splits) {
    (split.within ? local : global).add_mean(split.boundary, split.weight);
  }
  for (const Blob& blob : blobs.blobs) {
    if (blob.point_count() == 0) false_positive.add_mean(blob.pixels, 1.0);
  }
  t.split_local = local.apply(neg_log_s0);
  t.split_global = global.apply(neg_log_s0);
  t.false_positive = false_positive.apply(neg_log_s0);

  if (options.background_term) {
    if (out.logits.defined()) {
      // log(mean S_0) = logsumexp(log S_0) - log(HW), stable for any logits.
      const at::Tensor log_s0 = at::log_softmax(out.logits, 0)[0].reshape(-1);
      t.background =
          -(at::logsumexp(log_s0, 0) - std::log(static_cast<double>(h * w))).clamp_min(kLogFloor);
    } else {
      const at::Tensor mean_s0 = out.probs[0].mean();
      t.background = at::binary_cross_entropy(mean_s0, at::ones_like(mean_s0));
    }
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
  LcfcnTerms sum = zero_terms(x.options());
  for (int64_t i = 0; i < batch.size(0); ++i) {
    ImageOutputs out;
    if (from_logits) {
      out.logits = batch[i];
      out.log_s = at::log_softmax(out.logits, 0).clamp_min(kLogFloor);
    } else {
      out.probs = batch[i];
      // log(S) with log(0) read as the floor, and no 0 * inf in the backward pass there.
      const at::Tensor positive = out.probs > 0;
      const at::Tensor safe = at::where(positive, out.probs, at::ones_like(out.probs));
      out.log_s =
          at::where(positive, at::log(safe), at::full_like(safe, kLogFloor)).clamp_min(kLogFloor);
    }
    const LcfcnTerms t = image_loss(out, points[i], options);
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
