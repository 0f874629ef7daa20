#include "wisenet/eval/counting.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "wisenet/core/error.h"

namespace wisenet {

namespace {

void check_points(const CountingImage& image, const std::vector<Point>& points, const char* what,
                  size_t image_index) {
  for (const Point& p : points) {
    if (p.x < 0 || p.y < 0 || p.x >= image.width || p.y >= image.height) {
      throw Error("counting: image " + std::to_string(image_index) + ": " + what + " point (" +
                  std::to_string(p.x) + ", " + std::to_string(p.y) + ") lies outside " +
                  std::to_string(image.width) + "x" + std::to_string(image.height));
    }
  }
}

void check_image(const CountingImage& image, size_t index) {
  if (image.width <= 0 || image.height <= 0) {
    throw Error("counting: image " + std::to_string(index) + ": size " +
                std::to_string(image.width) + "x" + std::to_string(image.height) +
                " is not positive");
  }
  check_points(image, image.predicted, "predicted", index);
  check_points(image, image.truth, "true", index);
}

void check_level(int level) {
  // 4^15 cells is already far past any image; the bound keeps 1 << level in range.
  if (level < 0 || level > 15) {
    throw Error("counting: GAME level " + std::to_string(level) + " outside 0..15");
  }
}

double game_checked(const CountingImage& image, int level) {
  const int cells = 1 << level;
  std::vector<long long> diff(static_cast<size_t>(cells) * cells, 0);
  auto index = [&](const Point& p) {
    return static_cast<size_t>(game_cell(p.y, image.height, cells)) * cells +
           static_cast<size_t>(game_cell(p.x, image.width, cells));
  };
  for (const Point& p : image.predicted) ++diff[index(p)];
  for (const Point& p : image.truth) --diff[index(p)];
  long long total = 0;
  for (long long d : diff) total += std::llabs(d);
  return static_cast<double>(total);
}

}  // namespace

int game_cell(int v, int n, int cells) {
  // The largest j with floor(j * n / cells) <= v, i.e. j * n < (v + 1) * cells.
  return static_cast<int>(((static_cast<long long>(v) + 1) * cells - 1) / n);
}

double game_for_image(const CountingImage& image, int level) {
  check_level(level);
  check_image(image, 0);
  return game_checked(image, level);
}

CountErrors count_errors(const std::vector<CountingImage>& images, int max_level) {
  check_level(max_level);
  CountErrors out;
  out.images = static_cast<int>(images.size());
  out.game.assign(static_cast<size_t>(max_level) + 1, 0.0);
  if (images.empty()) return out;
  double abs_sum = 0, sq_sum = 0, count_sum = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    check_image(images[i], i);
    const double err = static_cast<double>(images[i].predicted.size()) -
                       static_cast<double>(images[i].truth.size());
    abs_sum += std::abs(err);
    sq_sum += err * err;
    count_sum += static_cast<double>(images[i].truth.size());
    for (int L = 0; L <= max_level; ++L) out.game[L] += game_checked(images[i], L);
  }
  const double n = static_cast<double>(images.size());
  out.mae = abs_sum / n;
  out.rmse = std::sqrt(sq_sum / n);
  out.mean_count = count_sum / n;
  for (double& g : out.game) g /= n;
  return out;
}

}  // namespace wisenet
