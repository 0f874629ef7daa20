#pragma once
// The annotation-budget arithmetic of the fixed-budget experiment (issue #5): what a budget of
// annotation time buys with point labels and with full masks, and which images.
//
// A budget is given as hours ("0.5h", "2h") or as a number of point-labelled images ("20"):
// N point images cost N * seconds_per_point_image, so "20" is the same as 20 * 20 s = 0.111h.
// A budget of H hours buys floor(H * 3600 / seconds_per_point_image) point images and
// floor(H * 3600 / seconds_per_mask_image) mask images (the defaults are Bearman et al.'s
// timings as the WISE-Net authors used them: 1,464 point images = 122 mask images).
//
// Which images: one seeded permutation of the dataset per seed; a budget buys a prefix of it.
// So, for one seed, the images are nested: a smaller budget's images are among a larger
// budget's, and the mask images of a budget are among its point images (the two methods see
// the same first images; only their number and labels differ). Different seeds give
// different permutations. The permutation depends on the seed and the dataset size only.
#include <cstdint>
#include <string>
#include <vector>

namespace wisenet {

struct AnnotationTiming {
  double seconds_per_point_image = 20.0;  // clicking every object of an image
  double seconds_per_mask_image = 239.7;  // drawing every object's mask
  // Throws wisenet::Error unless both are finite and > 0.
  void validate() const;
};

struct Budget {
  std::string text;  // as given, e.g. "0.5h" or "20"
  double hours = 0;
};

// Parses "B1,B2,...": each "<hours>h" (a positive number followed by h) or a positive whole
// number of point-labelled images. Empty lists, empty items, zero, negative or malformed
// values and a budget given twice throw wisenet::Error naming the item.
std::vector<Budget> parse_budgets(const std::string& text, const AnnotationTiming& timing);

struct BudgetImages {
  double hours = 0;
  int64_t point_images_bought = 0;  // what the budget pays for
  int64_t mask_images_bought = 0;
  int64_t point_images = 0;  // what is used: at most the images available
  int64_t mask_images = 0;
  bool points_capped() const { return point_images < point_images_bought; }
  bool masks_capped() const { return mask_images < mask_images_bought; }
};

// Floors are taken with a relative tolerance of 1e-9, so 1,464 * 20 / 239.7 gives 122 and
// "0.5h" at 20 s gives 90 exactly. Requires available >= 0.
BudgetImages images_for_budget(const Budget& budget, const AnnotationTiming& timing,
                               int64_t available);

// The seeded order of `count` images (a permutation of 0..count-1; Fisher-Yates on
// std::mt19937_64, with our own index draw so it is the same with every standard library).
std::vector<size_t> budget_image_order(size_t count, uint64_t seed);

// The first min(n, count) images of budget_image_order(count, seed).
std::vector<size_t> images_bought(size_t count, int64_t n, uint64_t seed);

}  // namespace wisenet
