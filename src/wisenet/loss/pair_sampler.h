#pragma once
// The pair sampling of the similarity loss L_E (wisenet.md section 5), without the network:
// which pixels are compared with which, and whether each pair is "same" or "different".
// Pixels are row-major linear indices (y * width + x).
//
// Randomness: PixelSampler draws uniformly with replacement from std::mt19937_64 seeded with
// the given seed, index = rng() % pool size. mt19937_64's output sequence is fixed by the C++
// standard, so a seed gives the same pairs on every platform and standard library (no
// std::uniform_int_distribution, whose algorithm is implementation-defined). The modulo bias
// is below 2^-40 for any pool of an image.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "wisenet/core/rle.h"
#include "wisenet/core/types.h"

namespace wisenet {

// Row-major pixel indices of a mask's foreground, increasing.
std::vector<int64_t> mask_pixels(const Rle& mask);

// Uniform draws with replacement from a seeded RNG (see the file comment).
class PixelSampler {
 public:
  explicit PixelSampler(uint64_t seed) : rng_(seed) {}
  // `count` draws from `pool`; an empty pool (or count <= 0) gives none.
  std::vector<int64_t> draw(const std::vector<int64_t>& pool, int count);
  // `count` draws of an index into a pool of `size` items (the same draws as `draw`).
  std::vector<size_t> draw_indices(size_t size, int count);

 private:
  std::mt19937_64 rng_;
};

// One sampling group: pairs (first[k], second[k]) of pixels, all "same" or all "different".
struct PairGroup {
  std::string name;
  bool same = true;
  std::vector<int64_t> first;
  std::vector<int64_t> second;
  size_t size() const { return first.size(); }
};

// Groups 1-4 of section 5 and the pixels they used:
//   "mask"         per point i, pixels_per_point pixels of pseudo_masks[i] with p_i, same;
//   "points"       every unordered pair of distinct points, different (the mean is the same
//                  as over ordered pairs);
//   "background"   anchors x background_pixels, every anchor-pixel pair, same;
//   "anchor_point" every anchor with every point, different.
// A group with no pairs (one point; empty background) is left out. Draw order: the masks in
// point order, then the anchors, then the background pixels.
struct SampledPairs {
  std::vector<PairGroup> groups;
  std::vector<int64_t> point_pixels;   // one per point
  std::vector<int64_t> anchor_pixels;  // the background anchors (empty without background)
  std::vector<int64_t> background_pool;  // every background pixel
  std::vector<std::vector<int64_t>> mask_pools;  // per point, every pixel of its pseudo-mask
};

// Requires pseudo_masks.size() == points.size(), masks and background of size height x width
// and points inside it (similarity_loss checks this and throws wisenet::Error).
SampledPairs sample_pairs(const std::vector<Point>& points, const std::vector<Rle>& pseudo_masks,
                          const Rle& background, int pixels_per_point, int background_pixels,
                          int anchors, PixelSampler& sampler);

// Group 5 (false-positive refinement): `count` pixels drawn from `stolen` (background pixels
// whose most similar seed is a point), each with each anchor ("stolen_anchor", same) and each
// with each point ("stolen_point", different). Empty `stolen` gives no groups.
std::vector<PairGroup> stolen_pairs(const std::vector<int64_t>& stolen,
                                    const std::vector<int64_t>& point_pixels,
                                    const std::vector<int64_t>& anchor_pixels, int count,
                                    PixelSampler& sampler);

// A pseudo-mask pixel and the point whose pseudo-mask it is.
struct MissedPixel {
  int64_t pixel;
  int point;
};

// False-negative refinement (an option beyond section 5, the mirror of group 5): `count`
// pixels drawn from `missed` (pseudo-mask pixels whose most similar seed is not their own
// point), each with its own point ("missed_point", same), with each anchor ("missed_anchor",
// different) and with each other point ("missed_other", different). Empty `missed` gives no
// groups; a group with no pairs is left out.
std::vector<PairGroup> missed_pairs(const std::vector<MissedPixel>& missed,
                                    const std::vector<int64_t>& point_pixels,
                                    const std::vector<int64_t>& anchor_pixels, int count,
                                    PixelSampler& sampler);

}  // namespace wisenet
