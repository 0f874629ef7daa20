// Object and distractor patches of the synthetic dataset: each class has a shape and a
// texture of its own, so a small CNN must look at both (colour is shared with distractors).
#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/data/synthetic_parts.h"

namespace wisenet::synth {
namespace {

// RGB base colour of each class: saturated, so objects stand out from the grey backgrounds.
const cv::Vec3f kClassColours[kShapeClasses] = {{215, 55, 45},  {45, 85, 215},  {40, 175, 65},
                                                {230, 195, 35}, {180, 55, 195}, {35, 190, 200}};

float clamp255(double v) { return static_cast<float>(std::clamp(v, 0.0, 255.0)); }

cv::Vec3f jitter_colour(const cv::Vec3f& base, Random& random) {
  const double brightness = random.uniform(0.85, 1.1);
  cv::Vec3f c;
  for (int k = 0; k < 3; ++k) c[k] = clamp255(base[k] * brightness + random.normal(0, 10));
  return c;
}

double frac(double x) { return x - std::floor(x); }
double square(double x) { return x * x; }

// Fills a patch of the given radius by testing each pixel centre: `shade(u, v, colour)` gets
// the pixel's coordinates in the shape's own frame (rotated by `angle`), returns whether the
// pixel is inside and, if so, writes its colour.
template <typename Shade>
Patch fill_patch(int radius, double angle, Shade shade) {
  const int side = 2 * radius + 1;
  Patch patch{cv::Mat::zeros(side, side, CV_8U), cv::Mat::zeros(side, side, CV_32FC3)};
  const double c = std::cos(angle), s = std::sin(angle);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const double dx = x - radius, dy = y - radius;
      cv::Vec3f colour;
      if (shade(c * dx + s * dy, -s * dx + c * dy, colour)) {
        patch.mask.at<uint8_t>(y, x) = 1;
        patch.colour.at<cv::Vec3f>(y, x) = colour;
      }
    }
  }
  return patch;
}

int patch_radius(double extent) { return static_cast<int>(std::ceil(extent)) + 2; }

// Darkens the shape's outermost pixels: touching objects of one class get a visible seam, as
// cells or fruit do in real images, so splitting them is learnable.
void darken_rim(Patch& patch, float factor) {
  cv::Mat inner;
  cv::erode(patch.mask, inner, cv::Mat(), cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  for (int y = 0; y < patch.mask.rows; ++y) {
    for (int x = 0; x < patch.mask.cols; ++x) {
      if (patch.mask.at<uint8_t>(y, x) && !inner.at<uint8_t>(y, x)) {
        patch.colour.at<cv::Vec3f>(y, x) *= factor;
      }
    }
  }
}

// Whether (u, v) lies inside a five-pointed star with outer radius `outer` and inner radius
// `inner` (an outer tip on the u axis).
bool inside_star(double u, double v, double outer, double inner) {
  const double sector = 2 * kPi / 5;
  const double rho = std::hypot(u, v);
  if (rho > outer) return false;
  if (rho <= inner) return true;
  // Fold into the half-sector between an inner vertex (psi = 0) and an outer tip.
  const double phi = std::atan2(v, u) + 2 * kPi;
  const double psi = std::abs(std::fmod(phi, sector) - sector / 2);
  const double px = rho * std::cos(psi), py = rho * std::sin(psi);
  const double ix = inner, iy = 0;
  const double ox = outer * std::cos(sector / 2), oy = outer * std::sin(sector / 2);
  // Inside when on the same side of the edge inner->tip as the origin.
  const double edge_x = ox - ix, edge_y = oy - iy;
  const double side_p = edge_x * (py - iy) - edge_y * (px - ix);
  const double side_origin = edge_x * (0 - iy) - edge_y * (0 - ix);
  return side_p * side_origin >= 0;
}

}  // namespace

Patch render_object(int class_id, double diameter, Random& random) {
  if (class_id < 1 || class_id > kShapeClasses) {
    throw Error("synthetic object: class " + std::to_string(class_id) + " is not in 1.." +
                std::to_string(kShapeClasses));
  }
  const double r = diameter / 2;
  const double angle = random.uniform(0, 2 * kPi);
  const cv::Vec3f base = jitter_colour(kClassColours[class_id - 1], random);
  const cv::Vec3f dark = base * 0.55f;
  Patch patch;
  switch (class_id) {
    case 1: {  // disc: an ellipse with smooth shading, brightest at an off-centre highlight
      const double a = r, b = r * random.uniform(0.7, 1.0);
      const double hu = random.uniform(-0.35, 0.35), hv = random.uniform(-0.35, 0.35);
      patch = fill_patch(patch_radius(r), angle, [&](double u, double v, cv::Vec3f& out) {
        if (square(u / a) + square(v / b) > 1) return false;
        const double h = std::sqrt(square(u / a - hu) + square(v / b - hv));
        out = base * static_cast<float>(1.12 - 0.6 * std::min(1.0, h));
        return true;
      });
      break;
    }
    case 2: {  // square: a rounded rectangle with stripes along one side
      const double a = r * 0.85, b = a * random.uniform(0.75, 1.0), corner = 0.3 * b;
      const double period = std::clamp(diameter * 0.25, 3.0, 9.0), phase = random.uniform();
      patch = fill_patch(patch_radius(r), angle, [&](double u, double v, cv::Vec3f& out) {
        const double qu = std::abs(u) - (a - corner), qv = std::abs(v) - (b - corner);
        const double outside = std::hypot(std::max(qu, 0.0), std::max(qv, 0.0)) +
                               std::min(std::max(qu, qv), 0.0) - corner;
        if (outside > 0) return false;
        out = frac(u / period + phase) < 0.5 ? base : dark;
        return true;
      });
      break;
    }
    case 3: {  // triangle: equilateral, with light dots on a grid
      const double outer = r * 1.15;
      const double spacing = std::clamp(diameter * 0.2, 3.5, 8.0), dot = 0.3 * spacing;
      const double pu = random.uniform(), pv = random.uniform();
      const cv::Vec3f light = base * 0.35f + cv::Vec3f(255, 255, 255) * 0.65f;
      patch = fill_patch(patch_radius(outer), angle, [&](double u, double v, cv::Vec3f& out) {
        for (int k = 0; k < 3; ++k) {
          const double alpha = 2 * kPi * k / 3;
          if (u * std::cos(alpha) + v * std::sin(alpha) > outer / 2) return false;
        }
        const double du = frac(u / spacing + pu) - 0.5, dv = frac(v / spacing + pv) - 0.5;
        out = std::hypot(du, dv) * spacing <= dot ? light : base;
        return true;
      });
      break;
    }
    case 4: {  // star: five points, speckled
      const double outer = r * 1.15, inner = outer * random.uniform(0.42, 0.5);
      patch = fill_patch(patch_radius(outer), angle, [&](double u, double v, cv::Vec3f& out) {
        if (!inside_star(u, v, outer, inner)) return false;
        out = base * static_cast<float>(random.uniform(0.55, 1.15));
        return true;
      });
      break;
    }
    case 5: {  // ring: an annulus shaded like a tube; its hole shows what lies beneath
      const double inner = r * random.uniform(0.42, 0.55);
      patch = fill_patch(patch_radius(r), angle, [&](double u, double v, cv::Vec3f& out) {
        const double rho = std::hypot(u, v);
        if (rho < inner || rho > r) return false;
        out = base * static_cast<float>(0.6 + 0.5 * std::sin(kPi * (rho - inner) / (r - inner)));
        return true;
      });
      break;
    }
    case 6: {  // cross: a plus sign with a checkerboard
      const double arm = r * 1.05, width = arm * random.uniform(0.28, 0.36);
      const double cell = std::clamp(diameter * 0.16, 2.5, 6.0);
      const double pu = random.uniform(), pv = random.uniform();
      patch = fill_patch(patch_radius(arm * std::sqrt(2.0)), angle,
                         [&](double u, double v, cv::Vec3f& out) {
                           const double au = std::abs(u), av = std::abs(v);
                           if (!((au <= arm && av <= width) || (av <= arm && au <= width))) {
                             return false;
                           }
                           const int parity = static_cast<int>(std::floor(u / cell + pu)) +
                                              static_cast<int>(std::floor(v / cell + pv));
                           out = (parity & 1) ? dark : base;
                           return true;
                         });
      break;
    }
  }
  darken_rim(patch, 0.7f);
  return patch;
}

Patch render_distractor(int classes, double diameter, Random& random) {
  const double r = diameter / 2;
  const double angle = random.uniform(0, 2 * kPi);
  const int colour_class = random.uniform_int(0, std::clamp(classes, 1, kShapeClasses) - 1);
  cv::Vec3f base;
  if (random.chance(0.75)) {
    base = jitter_colour(kClassColours[colour_class], random);
  } else {
    const double grey = random.uniform(40, 220);
    base = cv::Vec3f(clamp255(grey), clamp255(grey), clamp255(grey));
  }
  // Crossed waves about a third of the size long: a mottled look no class has.
  const double k1 = 2 * kPi / (diameter * random.uniform(0.3, 0.5));
  const double k2 = 2 * kPi / (diameter * random.uniform(0.3, 0.5));
  const double p1 = random.uniform(0, 2 * kPi), p2 = random.uniform(0, 2 * kPi);
  auto texture = [&](double u, double v) {
    return base * static_cast<float>(0.8 + 0.3 * std::sin(k1 * u + p1) * std::sin(k2 * v + p2));
  };
  if (random.chance(0.6)) {  // a lumpy blob: a circle with strong low harmonics
    const double radius = r * 0.8;
    double amp[3], phase[3];
    for (int k = 0; k < 3; ++k) {
      amp[k] = random.uniform(0.12, 0.22);
      phase[k] = random.uniform(0, 2 * kPi);
    }
    return fill_patch(patch_radius(radius * 1.7), angle, [&](double u, double v, cv::Vec3f& out) {
      const double phi = std::atan2(v, u);
      double edge = 1;
      for (int k = 0; k < 3; ++k) edge += amp[k] * std::sin((k + 2) * phi + phase[k]);
      if (std::hypot(u, v) > radius * edge) return false;
      out = texture(u, v);
      return true;
    });
  }
  // A bar: a capsule three to six times longer than wide.
  const double half_length = r * 1.1, half_width = r * random.uniform(0.18, 0.28);
  return fill_patch(patch_radius(half_length + half_width), angle,
                    [&](double u, double v, cv::Vec3f& out) {
                      const double along = std::clamp(u, -half_length, half_length);
                      if (std::hypot(u - along, v) > half_width) return false;
                      out = texture(u, v);
                      return true;
                    });
}

void paste_patch(cv::Mat& canvas, const Patch& patch, cv::Point centre) {
  const int radius = patch.radius();
  for (int y = 0; y < patch.mask.rows; ++y) {
    const int cy = centre.y - radius + y;
    if (cy < 0 || cy >= canvas.rows) continue;
    for (int x = 0; x < patch.mask.cols; ++x) {
      const int cx = centre.x - radius + x;
      if (cx < 0 || cx >= canvas.cols || !patch.mask.at<uint8_t>(y, x)) continue;
      canvas.at<cv::Vec3f>(cy, cx) = patch.colour.at<cv::Vec3f>(y, x);
    }
  }
}

}  // namespace wisenet::synth
