// Composing one synthetic image: background, distractors, then objects placed one by one,
// each later object occluding the earlier ones, with touching clusters of one class.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/synthetic.h"
#include "wisenet/data/synthetic_parts.h"

namespace wisenet {
namespace {

// Calls fn(x, y) for every image pixel that the patch's mask covers when centred at `centre`.
template <typename Fn>
void for_each_patch_pixel(const synth::Patch& patch, cv::Point centre, cv::Size image, Fn fn) {
  const int radius = patch.radius();
  for (int y = 0; y < patch.mask.rows; ++y) {
    const int iy = centre.y - radius + y;
    if (iy < 0 || iy >= image.height) continue;
    for (int x = 0; x < patch.mask.cols; ++x) {
      const int ix = centre.x - radius + x;
      if (ix < 0 || ix >= image.width || !patch.mask.at<uint8_t>(y, x)) continue;
      fn(ix, iy);
    }
  }
}

using synth::Patch;
using synth::Random;

// Chance that a new object is placed against an existing one (and takes its class), which
// makes touching same-class groups common: the case the split loss exists for.
constexpr double kClusterChance = 0.45;
// Placements tried per object before giving up on it.
constexpr int kAttempts = 25;
// A visible part must keep this share of its pixels in its largest connected piece: an
// object cut in two by an occluder would carry one point for two blobs.
constexpr double kMinLargestPiece = 0.9;

struct Placed {
  int category = 0;
  cv::Point centre;
  double diameter = 0;
  int64_t full_area = 0;  // pixels of the whole shape, clipped or not
  int64_t visible = 0;    // pixels still showing
};

struct Sizes {
  double min_diameter, max_diameter;  // objects and distractors span ~3.5x in size
  int64_t min_visible_pixels;
};

Sizes sizes_for(int size) {
  const double scale = size / 128.0;
  Sizes s;
  s.min_diameter = std::max(6.0, 10 * scale);
  s.max_diameter = std::max(2 * s.min_diameter, 35 * scale);
  s.min_visible_pixels = std::max<int64_t>(8, std::llround(20 * scale * scale));
  return s;
}

bool mostly_one_piece(const cv::Mat& mask) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  int64_t total = 0, largest = 0;
  for (int i = 1; i < n; ++i) {
    const int64_t area = stats.at<int>(i, cv::CC_STAT_AREA);
    total += area;
    largest = std::max(largest, area);
  }
  return total > 0 && largest >= kMinLargestPiece * total;
}

// The candidate `patch` at `centre` over the current `labels` (0 = free, i = object i):
// returns whether every object, old and new, keeps enough of itself. Fills `new_visible`
// with the in-image pixel count of the candidate.
bool placement_ok(const cv::Mat& labels, const std::vector<Placed>& placed, const Patch& patch,
                  cv::Point centre, int64_t full_area, const SynthOptions& options,
                  const Sizes& sizes, int64_t* new_visible) {
  auto enough = [&](int64_t visible, int64_t full) {
    return visible >= sizes.min_visible_pixels &&
           static_cast<double>(visible) >= options.min_visible_fraction * full;
  };
  cv::Mat candidate = cv::Mat::zeros(labels.size(), CV_8U);
  std::vector<int64_t> covered(placed.size() + 1, 0);
  int64_t inside = 0;
  for_each_patch_pixel(patch, centre, labels.size(), [&](int ix, int iy) {
    candidate.at<uint8_t>(iy, ix) = 1;
    ++covered[labels.at<int>(iy, ix)];
    ++inside;
  });
  *new_visible = inside;
  if (!enough(inside, full_area) || !mostly_one_piece(candidate)) return false;
  for (size_t i = 0; i < placed.size(); ++i) {
    const int64_t lost = covered[i + 1];
    if (lost == 0) continue;
    if (!enough(placed[i].visible - lost, placed[i].full_area)) return false;
    const cv::Mat remaining = (labels == static_cast<int>(i + 1)) & (candidate == 0);
    if (!mostly_one_piece(remaining)) return false;
  }
  return true;
}

void paint_labels(cv::Mat& labels, const Patch& patch, cv::Point centre, int label) {
  for_each_patch_pixel(patch, centre, labels.size(),
                       [&](int ix, int iy) { labels.at<int>(iy, ix) = label; });
}

cv::Point random_centre(int size, Random& random) {
  const int x = random.uniform_int(0, size - 1);
  const int y = random.uniform_int(0, size - 1);
  return {x, y};
}

}  // namespace

namespace synth {

uint64_t image_seed(uint64_t seed, int index) {
  // SplitMix64 of the pair: consecutive indices give unrelated mt19937_64 streams.
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(index) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace synth

void validate_synth_options(const SynthOptions& o) {
  auto fail = [](const std::string& message) { throw Error("synth: " + message); };
  if (o.classes < 1 || o.classes > synth::kShapeClasses) {
    fail("--classes must be between 1 and " + std::to_string(synth::kShapeClasses) + " (got " +
         std::to_string(o.classes) + ")");
  }
  if (o.size < 32) fail("--size must be at least 32 (got " + std::to_string(o.size) + ")");
  if (o.size > 8192) fail("--size must be at most 8192 (got " + std::to_string(o.size) + ")");
  if (o.images < 1) fail("--images must be at least 1 (got " + std::to_string(o.images) + ")");
  if (!(o.val_fraction >= 0 && o.val_fraction < 1)) {
    fail("--val-fraction must be in [0, 1) (got " + std::to_string(o.val_fraction) + ")");
  }
  if (o.max_objects < 0) fail("max_objects must be >= 0");
  if (o.max_distractors < 0) fail("max_distractors must be >= 0");
  if (!(o.min_visible_fraction > 0 && o.min_visible_fraction <= 1)) {
    fail("min_visible_fraction must be in (0, 1]");
  }
}

std::vector<Category> synthetic_categories(int classes) {
  static const char* const kNames[synth::kShapeClasses] = {"disc", "square", "triangle",
                                                           "star", "ring",   "cross"};
  if (classes < 1 || classes > synth::kShapeClasses) {
    throw Error("synth: classes must be between 1 and " + std::to_string(synth::kShapeClasses) +
                " (got " + std::to_string(classes) + ")");
  }
  std::vector<Category> categories;
  for (int c = 1; c <= classes; ++c) categories.push_back({c, kNames[c - 1]});
  return categories;
}

std::string synthetic_file_name(int index) {
  std::string digits = std::to_string(index);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "synth_" + digits + ".png";
}

SynthImage make_synthetic_image(const SynthOptions& options, int index) {
  validate_synth_options(options);
  const int size = options.size;
  const Sizes sizes = sizes_for(size);
  Random random(synth::image_seed(options.seed, index));
  cv::Mat canvas = synth::render_background(size, random);

  // Distractors first, so objects lie on top of them and object masks stay exact.
  cv::Mat distractor_labels = cv::Mat::zeros(size, size, CV_32S);
  const int distractors = random.uniform_int(0, options.max_distractors);
  for (int i = 0; i < distractors; ++i) {
    const double diameter = random.log_uniform(sizes.min_diameter, sizes.max_diameter);
    const Patch patch = synth::render_distractor(options.classes, diameter, random);
    const cv::Point centre = random_centre(size, random);
    synth::paste_patch(canvas, patch, centre);
    paint_labels(distractor_labels, patch, centre, i + 1);
  }

  cv::Mat labels = cv::Mat::zeros(size, size, CV_32S);
  std::vector<Placed> placed;
  const int objects = random.uniform_int(0, options.max_objects);
  for (int j = 0; j < objects; ++j) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      Placed p;
      p.diameter = random.log_uniform(sizes.min_diameter, sizes.max_diameter);
      if (!placed.empty() && random.chance(kClusterChance)) {
        // Against an existing object, overlapping it a little: a touching pair of one class.
        const Placed& anchor = placed[random.uniform_int(0, static_cast<int>(placed.size()) - 1)];
        p.category = anchor.category;
        const double distance = (anchor.diameter + p.diameter) / 2 * random.uniform(0.7, 0.95);
        const double angle = random.uniform(0, 2 * synth::kPi);
        p.centre =
            anchor.centre + cv::Point(static_cast<int>(std::lround(distance * std::cos(angle))),
                                      static_cast<int>(std::lround(distance * std::sin(angle))));
      } else {
        p.category = random.uniform_int(1, options.classes);
        p.centre = random_centre(size, random);
      }
      const Patch patch = synth::render_object(p.category, p.diameter, random);
      p.full_area = cv::countNonZero(patch.mask);
      if (!placement_ok(labels, placed, patch, p.centre, p.full_area, options, sizes, &p.visible)) {
        continue;
      }
      const int label = static_cast<int>(placed.size()) + 1;
      paint_labels(labels, patch, p.centre, label);
      // The new object took pixels from the old ones.
      for (int i = 0; i < static_cast<int>(placed.size()); ++i) {
        placed[i].visible = cv::countNonZero(labels == i + 1);
      }
      synth::paste_patch(canvas, patch, p.centre);
      placed.push_back(p);
      break;
    }
  }

  // Sensor noise over everything, then 8 bits.
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      cv::Vec3f& pixel = canvas.at<cv::Vec3f>(y, x);
      for (int k = 0; k < 3; ++k) pixel[k] += static_cast<float>(random.normal(0, 5));
    }
  }
  SynthImage result;
  canvas.convertTo(result.image, CV_8UC3);

  for (int i = 0; i < static_cast<int>(placed.size()); ++i) {
    Instance instance;
    instance.category = placed[i].category;
    instance.mask = Rle::from_mask(labels == i + 1);
    instance.bbox = instance.mask.bbox();
    instance.area = static_cast<double>(instance.mask.area());
    instance.point = point_for_mask(instance.mask, instance.category, PointRule::kCenter, 0);
    result.instances.push_back(std::move(instance));
  }
  for (int i = 0; i < distractors; ++i) {
    const cv::Mat visible = (distractor_labels == i + 1) & (labels == 0);
    if (cv::countNonZero(visible) > 0) result.distractors.push_back(Rle::from_mask(visible));
  }
  return result;
}

}  // namespace wisenet
