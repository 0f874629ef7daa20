#pragma once
// The pieces the synthetic images are built from (internal to synthetic_*.cpp and its tests):
// a portable random source, backgrounds, object and distractor patches.
#include <cmath>
#include <cstdint>
#include <random>

#include <opencv2/core.hpp>

namespace wisenet::synth {

constexpr double kPi = 3.14159265358979323846;

// Uniform and normal draws computed here from std::mt19937_64's raw output, so the dataset
// does not depend on a standard library's distribution implementation.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi] (inclusive); the modulo bias (< 2^-40 here) does not matter.
  int uniform_int(int lo, int hi) {
    const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(engine_() % span);
  }
  bool chance(double p) { return uniform() < p; }
  // Log-uniform in [lo, hi]: equal odds for each octave of size.
  double log_uniform(double lo, double hi) { return lo * std::exp(uniform() * std::log(hi / lo)); }
  // Normal by Box-Muller, one draw per call (the second value is discarded for simplicity).
  double normal(double mean, double sd) {
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }

 private:
  std::mt19937_64 engine_;
};

// A seed for image `index` that differs in many bits from its neighbours' (SplitMix64).
uint64_t image_seed(uint64_t seed, int index);

// A shape drawn in its own square patch of odd side 2R+1, centred on the patch's middle pixel.
//   mask: CV_8U, 1 inside the shape (never touching the patch border).
//   colour: CV_32FC3, RGB in [0, 255] where mask is 1 (undefined elsewhere).
struct Patch {
  cv::Mat mask;
  cv::Mat colour;
  int radius() const { return mask.rows / 2; }
};

// Number of object classes with a shape and texture of their own (class ids 1..kShapeClasses).
constexpr int kShapeClasses = 6;

// Object of class `class_id` (1..6) about `diameter` pixels across, randomly rotated, with
// its class's texture and a darker one-pixel rim (so touching objects of one class stay
// separable by eye). Draws from `random`.
Patch render_object(int class_id, double diameter, Random& random);

// A distractor about `diameter` across: a lumpy blob or a bar with a wavy texture, neither
// shape nor texture of any class; coloured like one of classes 1..`classes` most of the time
// so that colour alone does not tell objects apart.
Patch render_distractor(int classes, double diameter, Random& random);

// A size x size CV_32FC3 RGB background: a two-colour gradient in low saturation, smooth
// blotches and a few thin lines. Pixel noise is added after the objects (so they get it too).
cv::Mat render_background(int size, Random& random);

// Copies patch colours into `canvas` where the patch mask is set; the patch centre lands on
// `centre`; parts outside the canvas are clipped.
void paste_patch(cv::Mat& canvas, const Patch& patch, cv::Point centre);

}  // namespace wisenet::synth
