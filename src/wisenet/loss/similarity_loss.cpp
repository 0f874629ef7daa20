#include "wisenet/loss/similarity_loss.h"

#include <torch/torch.h>

#include <algorithm>

#include "wisenet/core/error.h"
#include "wisenet/loss/pair_sampler.h"

namespace wisenet {

namespace {

std::string size_text(int64_t h, int64_t w) { return std::to_string(h) + "x" + std::to_string(w); }

void check_inputs(const at::Tensor& embeddings, const std::vector<Point>& points,
                  const std::vector<Rle>& pseudo_masks, const Rle& background) {
  if (!embeddings.defined() || embeddings.dim() != 3 || !embeddings.is_floating_point()) {
    throw Error("similarity_loss: embeddings must be a floating-point D x H x W tensor");
  }
  const int64_t h = embeddings.size(1), w = embeddings.size(2);
  if (pseudo_masks.size() != points.size()) {
    throw Error("similarity_loss: " + std::to_string(points.size()) + " points but " +
                std::to_string(pseudo_masks.size()) + " pseudo-masks");
  }
  const auto check_size = [&](const Rle& m, const std::string& what) {
    if (m.height() != h || m.width() != w) {
      throw Error("similarity_loss: " + what + " is " + size_text(m.height(), m.width()) +
                  ", embeddings are " + size_text(h, w));
    }
  };
  for (size_t i = 0; i < points.size(); ++i) {
    check_size(pseudo_masks[i], "pseudo-mask " + std::to_string(i));
    const Point& p = points[i];
    if (p.x < 0 || p.y < 0 || p.x >= w || p.y >= h) {
      throw Error("similarity_loss: point " + std::to_string(i) + " (" + std::to_string(p.x) +
                  ", " + std::to_string(p.y) + ") lies outside the " + size_text(h, w) +
                  " embeddings");
    }
  }
  check_size(background, "background");
}

at::Tensor index_tensor(const std::vector<int64_t>& pixels, const at::Tensor& like) {
  return torch::tensor(pixels, torch::kLong).to(like.device());
}

// The embeddings of every pixel some pair uses, gathered once: `columns` (D x U) and, per
// pixel, its column. One gather keeps the backward pass to one scatter into a D x H*W gradient
// whatever the number of groups.
struct GatheredPixels {
  at::Tensor columns;
  std::vector<int64_t> pixels;  // sorted, distinct
  int64_t column_of(int64_t pixel) const {
    return std::lower_bound(pixels.begin(), pixels.end(), pixel) - pixels.begin();
  }
};

GatheredPixels gather_pixels(const at::Tensor& flat, const std::vector<PairGroup>& groups) {
  GatheredPixels g;
  for (const PairGroup& group : groups) {
    g.pixels.insert(g.pixels.end(), group.first.begin(), group.first.end());
    g.pixels.insert(g.pixels.end(), group.second.begin(), group.second.end());
  }
  std::sort(g.pixels.begin(), g.pixels.end());
  g.pixels.erase(std::unique(g.pixels.begin(), g.pixels.end()), g.pixels.end());
  g.columns = flat.index_select(1, index_tensor(g.pixels, flat));
  return g;
}

// Mean over the group's pairs of -log S ("same") or -log(1 - S) ("different").
at::Tensor group_term(const GatheredPixels& gathered, const PairGroup& g, SimilarityForm form) {
  std::vector<int64_t> first, second;
  first.reserve(g.first.size());
  second.reserve(g.second.size());
  for (int64_t p : g.first) first.push_back(gathered.column_of(p));
  for (int64_t p : g.second) second.push_back(gathered.column_of(p));
  const at::Tensor& columns = gathered.columns;
  const at::Tensor a = columns.index_select(1, index_tensor(first, columns));
  const at::Tensor b = columns.index_select(1, index_tensor(second, columns));
  const at::Tensor s = similarity_from_distance((a - b).pow(2).sum(0), form, columns.size(0));
  return g.same ? -torch::log(s).mean() : -torch::log1p(-s).mean();
}

// Each pixel's most similar seed among the points (0..n-1), then the anchors (n..): found for
// every pixel without gradient, on the embeddings as they are (an int64 tensor on the CPU).
at::Tensor nearest_owner(const at::Tensor& flat, const SampledPairs& s) {
  std::vector<int64_t> seeds = s.point_pixels;
  seeds.insert(seeds.end(), s.anchor_pixels.begin(), s.anchor_pixels.end());
  torch::NoGradGuard no_grad;
  return nearest_seed(flat.detach(), flat.detach().index_select(1, index_tensor(seeds, flat)))
      .to(torch::kCPU)
      .contiguous();
}

// Background pixels whose most similar seed is a point.
std::vector<int64_t> stolen_pixels(const int64_t* owner, const SampledPairs& s) {
  const int64_t n = static_cast<int64_t>(s.point_pixels.size());
  std::vector<int64_t> stolen;
  for (int64_t pixel : s.background_pool) {
    if (owner[pixel] < n) stolen.push_back(pixel);
  }
  return stolen;
}

// Pseudo-mask pixels whose most similar seed is not their own point.
std::vector<MissedPixel> missed_pixels(const int64_t* owner, const SampledPairs& s) {
  std::vector<MissedPixel> missed;
  for (size_t i = 0; i < s.mask_pools.size(); ++i) {
    for (int64_t pixel : s.mask_pools[i]) {
      if (owner[pixel] != static_cast<int64_t>(i)) missed.push_back({pixel, static_cast<int>(i)});
    }
  }
  return missed;
}

}  // namespace

SimilarityLossResult similarity_loss(const at::Tensor& embeddings, const std::vector<Point>& points,
                                     const std::vector<Rle>& pseudo_masks, const Rle& background,
                                     const SimilarityOptions& options, uint64_t seed) {
  check_inputs(embeddings, points, pseudo_masks, background);
  SimilarityLossResult result;
  if (points.empty()) return result;
  result.has_points = true;
  const int n = static_cast<int>(points.size());
  const int anchors = options.anchors > 0 ? options.anchors : n;
  const at::Tensor flat = embeddings.reshape({embeddings.size(0), -1});

  PixelSampler sampler(seed);
  SampledPairs sampled = sample_pairs(points, pseudo_masks, background, options.pixels_per_point,
                                      options.background_pixels, anchors, sampler);
  const bool refine = !sampled.anchor_pixels.empty() &&
                      (options.refine_false_positives || options.refine_false_negatives);
  const at::Tensor owner_tensor = refine ? nearest_owner(flat, sampled) : at::Tensor();
  const int64_t* owner = refine ? owner_tensor.data_ptr<int64_t>() : nullptr;
  if (refine && options.refine_false_positives) {
    for (PairGroup& g : stolen_pairs(stolen_pixels(owner, sampled), sampled.point_pixels,
                                     sampled.anchor_pixels, n, sampler)) {
      sampled.groups.push_back(std::move(g));
    }
  }
  if (refine && options.refine_false_negatives) {
    for (PairGroup& g : missed_pairs(missed_pixels(owner, sampled), sampled.point_pixels,
                                     sampled.anchor_pixels, n, sampler)) {
      sampled.groups.push_back(std::move(g));
    }
  }
  const double divisor = static_cast<double>(std::max(n, 1));
  const GatheredPixels gathered = gather_pixels(flat, sampled.groups);
  at::Tensor total = torch::zeros({}, flat.options());
  for (const PairGroup& g : sampled.groups) {
    const at::Tensor term = group_term(gathered, g, options.form) / divisor;
    total = total + term;
    result.terms[g.name] = term.item<double>();
  }
  result.total = total;
  return result;
}

}  // namespace wisenet
