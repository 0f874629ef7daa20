#include "wisenet/loss/pair_sampler.h"

#include <algorithm>

#include <opencv2/core.hpp>

namespace wisenet {

namespace {

// Every element of `a` with every element of `b`.
PairGroup all_pairs(std::string name, bool same, const std::vector<int64_t>& a,
                    const std::vector<int64_t>& b) {
  PairGroup g{std::move(name), same, {}, {}};
  g.first.reserve(a.size() * b.size());
  g.second.reserve(a.size() * b.size());
  for (int64_t x : a) {
    for (int64_t y : b) {
      g.first.push_back(x);
      g.second.push_back(y);
    }
  }
  return g;
}

}  // namespace

std::vector<int64_t> mask_pixels(const Rle& mask) {
  // The runs are column-major: decode to an image and scan it row by row, which gives the
  // row-major indices already in increasing order.
  const cv::Mat m = mask.to_mask();
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(mask.area()));
  for (int y = 0; y < m.rows; ++y) {
    const uint8_t* row = m.ptr<uint8_t>(y);
    const int64_t base = static_cast<int64_t>(y) * m.cols;
    for (int x = 0; x < m.cols; ++x) {
      if (row[x] != 0) out.push_back(base + x);
    }
  }
  return out;
}

std::vector<size_t> PixelSampler::draw_indices(size_t size, int count) {
  std::vector<size_t> out;
  if (size == 0 || count <= 0) return out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) out.push_back(rng_() % size);
  return out;
}

std::vector<int64_t> PixelSampler::draw(const std::vector<int64_t>& pool, int count) {
  std::vector<int64_t> out;
  for (size_t k : draw_indices(pool.size(), count)) out.push_back(pool[k]);
  return out;
}

SampledPairs sample_pairs(const std::vector<Point>& points, const std::vector<Rle>& pseudo_masks,
                          const Rle& background, int pixels_per_point, int background_pixels,
                          int anchors, PixelSampler& sampler) {
  SampledPairs s;
  const int64_t w = background.width();
  for (const Point& p : points) s.point_pixels.push_back(static_cast<int64_t>(p.y) * w + p.x);
  const size_t n = points.size();

  PairGroup mask{"mask", true, {}, {}};
  for (size_t i = 0; i < n; ++i) {
    s.mask_pools.push_back(mask_pixels(pseudo_masks[i]));
    const auto drawn = sampler.draw(s.mask_pools.back(), pixels_per_point);
    mask.first.insert(mask.first.end(), drawn.begin(), drawn.end());
    mask.second.insert(mask.second.end(), drawn.size(), s.point_pixels[i]);
  }
  if (mask.size() > 0) s.groups.push_back(std::move(mask));

  PairGroup different{"points", false, {}, {}};
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      different.first.push_back(s.point_pixels[i]);
      different.second.push_back(s.point_pixels[j]);
    }
  }
  if (different.size() > 0) s.groups.push_back(std::move(different));

  s.background_pool = mask_pixels(background);
  if (s.background_pool.empty() || n == 0) return s;
  s.anchor_pixels = sampler.draw(s.background_pool, anchors);
  const std::vector<int64_t> back = sampler.draw(s.background_pool, background_pixels);
  if (!back.empty()) s.groups.push_back(all_pairs("background", true, s.anchor_pixels, back));
  s.groups.push_back(all_pairs("anchor_point", false, s.anchor_pixels, s.point_pixels));
  if (s.groups.back().size() == 0) s.groups.pop_back();
  return s;
}

std::vector<PairGroup> stolen_pairs(const std::vector<int64_t>& stolen,
                                    const std::vector<int64_t>& point_pixels,
                                    const std::vector<int64_t>& anchor_pixels, int count,
                                    PixelSampler& sampler) {
  std::vector<PairGroup> groups;
  const std::vector<int64_t> drawn = sampler.draw(stolen, count);
  if (drawn.empty()) return groups;
  if (!anchor_pixels.empty()) groups.push_back(all_pairs("stolen_anchor", true, drawn, anchor_pixels));
  if (!point_pixels.empty()) groups.push_back(all_pairs("stolen_point", false, drawn, point_pixels));
  return groups;
}

std::vector<PairGroup> missed_pairs(const std::vector<MissedPixel>& missed,
                                    const std::vector<int64_t>& point_pixels,
                                    const std::vector<int64_t>& anchor_pixels, int count,
                                    PixelSampler& sampler) {
  std::vector<PairGroup> groups;
  const std::vector<size_t> drawn = sampler.draw_indices(missed.size(), count);
  if (drawn.empty()) return groups;
  PairGroup own{"missed_point", true, {}, {}};
  PairGroup anchors{"missed_anchor", false, {}, {}};
  PairGroup others{"missed_other", false, {}, {}};
  for (size_t k : drawn) {
    const MissedPixel& m = missed[k];
    own.first.push_back(m.pixel);
    own.second.push_back(point_pixels[m.point]);
    for (int64_t a : anchor_pixels) {
      anchors.first.push_back(m.pixel);
      anchors.second.push_back(a);
    }
    for (size_t j = 0; j < point_pixels.size(); ++j) {
      if (static_cast<int>(j) == m.point) continue;
      others.first.push_back(m.pixel);
      others.second.push_back(point_pixels[j]);
    }
  }
  for (PairGroup* g : {&own, &anchors, &others}) {
    if (g->size() > 0) groups.push_back(std::move(*g));
  }
  return groups;
}

}  // namespace wisenet
