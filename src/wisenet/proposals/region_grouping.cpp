#include "wisenet/proposals/region_grouping.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <set>
#include <tuple>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

constexpr int kColorBins = 25;
constexpr int kOrientations = 8;
constexpr int kTextureBins = 10;
constexpr int kColorSize = 3 * kColorBins;
constexpr int kTextureSize = 3 * kOrientations * kTextureBins;

struct RegionStats {
  std::vector<float> color;    // L1-normalised
  std::vector<float> texture;  // L1-normalised
  int64_t size = 0;
  cv::Rect box;
};

float histogram_intersection(const std::vector<float>& a, const std::vector<float>& b) {
  float sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::min(a[i], b[i]);
  return sum;
}

void normalise(std::vector<float>* histogram) {
  float total = 0;
  for (float v : *histogram) total += v;
  if (total > 0) {
    for (float& v : *histogram) v /= total;
  }
}

}  // namespace

PixelBins pixel_bins(const cv::Mat& image) {
  if (image.type() != CV_8UC3) throw Error("pixel_bins: image is not 8-bit, 3 channels");
  PixelBins bins;
  bins.height = image.rows;
  bins.width = image.cols;
  const size_t n = static_cast<size_t>(image.rows) * image.cols;
  bins.color.resize(n * 3);
  bins.texture.resize(n * 3 * kOrientations);
  std::vector<cv::Mat> channels;
  cv::split(image, channels);
  for (int c = 0; c < 3; ++c) {
    // Gaussian derivatives as in the paper: smooth, then first derivatives.
    cv::Mat smooth, dx, dy;
    channels[c].convertTo(smooth, CV_32F);
    cv::GaussianBlur(smooth, smooth, cv::Size(0, 0), 1.0);
    cv::Sobel(smooth, dx, CV_32F, 1, 0, 3);
    cv::Sobel(smooth, dy, CV_32F, 0, 1, 3);
    float max_response = 1e-6f;
    for (int y = 0; y < image.rows; ++y) {
      const float* gx = dx.ptr<float>(y);
      const float* gy = dy.ptr<float>(y);
      for (int x = 0; x < image.cols; ++x) {
        max_response = std::max(max_response, std::sqrt(gx[x] * gx[x] + gy[x] * gy[x]));
      }
    }
    float cosines[kOrientations], sines[kOrientations];
    for (int o = 0; o < kOrientations; ++o) {
      cosines[o] = static_cast<float>(std::cos(o * 2 * M_PI / kOrientations));
      sines[o] = static_cast<float>(std::sin(o * 2 * M_PI / kOrientations));
    }
    for (int y = 0; y < image.rows; ++y) {
      const uint8_t* value = channels[c].ptr<uint8_t>(y);
      const float* gx = dx.ptr<float>(y);
      const float* gy = dy.ptr<float>(y);
      for (int x = 0; x < image.cols; ++x) {
        const size_t p = static_cast<size_t>(y) * image.cols + x;
        bins.color[p * 3 + c] = static_cast<uint8_t>(value[x] * kColorBins / 256);
        for (int o = 0; o < kOrientations; ++o) {
          const float r = std::max(0.f, gx[x] * cosines[o] + gy[x] * sines[o]) / max_response;
          const int bin = std::min(kTextureBins - 1, static_cast<int>(r * kTextureBins));
          bins.texture[(p * 3 + c) * kOrientations + o] = static_cast<uint8_t>(bin);
        }
      }
    }
  }
  return bins;
}

std::vector<GroupedRegion> hierarchical_grouping(const cv::Mat& labels, int count,
                                                 const PixelBins& bins,
                                                 const std::string& strategy) {
  if (labels.type() != CV_32S || labels.rows != bins.height || labels.cols != bins.width) {
    throw Error("hierarchical_grouping: labels do not match the pixel bins");
  }
  const bool use_color = strategy.find('c') != std::string::npos;
  const bool use_texture = strategy.find('t') != std::string::npos;
  const bool use_size = strategy.find('s') != std::string::npos;
  const bool use_fill = strategy.find('f') != std::string::npos;
  const double image_size = static_cast<double>(labels.rows) * labels.cols;

  std::vector<RegionStats> stats(count);
  std::vector<int> min_x(count, labels.cols), min_y(count, labels.rows), max_x(count, -1),
      max_y(count, -1);
  for (auto& s : stats) {
    s.color.assign(use_color ? kColorSize : 0, 0.f);
    s.texture.assign(use_texture ? kTextureSize : 0, 0.f);
  }
  std::vector<std::set<int>> neighbours(count);
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels.ptr<int>(y);
    const int* below = y + 1 < labels.rows ? labels.ptr<int>(y + 1) : nullptr;
    for (int x = 0; x < labels.cols; ++x) {
      const int id = row[x];
      if (id < 0 || id >= count) throw Error("hierarchical_grouping: label out of range");
      RegionStats& s = stats[id];
      ++s.size;
      min_x[id] = std::min(min_x[id], x);
      max_x[id] = std::max(max_x[id], x);
      min_y[id] = std::min(min_y[id], y);
      max_y[id] = std::max(max_y[id], y);
      const size_t p = static_cast<size_t>(y) * labels.cols + x;
      if (use_color) {
        for (int c = 0; c < 3; ++c) s.color[c * kColorBins + bins.color[p * 3 + c]] += 1;
      }
      if (use_texture) {
        for (int co = 0; co < 3 * kOrientations; ++co) {
          s.texture[co * kTextureBins + bins.texture[p * 3 * kOrientations + co]] += 1;
        }
      }
      if (x + 1 < labels.cols && row[x + 1] != id) {
        neighbours[id].insert(row[x + 1]);
        neighbours[row[x + 1]].insert(id);
      }
      if (below && below[x] != id) {
        neighbours[id].insert(below[x]);
        neighbours[below[x]].insert(id);
      }
    }
  }
  std::vector<GroupedRegion> regions(count);
  for (int i = 0; i < count; ++i) {
    normalise(&stats[i].color);
    normalise(&stats[i].texture);
    stats[i].box = cv::Rect(min_x[i], min_y[i], max_x[i] - min_x[i] + 1, max_y[i] - min_y[i] + 1);
    regions[i] = {{i}, stats[i].box, stats[i].size};
  }

  auto similarity = [&](int a, int b) {
    const RegionStats& ra = stats[a];
    const RegionStats& rb = stats[b];
    double sum = 0;
    if (use_color) sum += histogram_intersection(ra.color, rb.color);
    if (use_texture) sum += histogram_intersection(ra.texture, rb.texture);
    if (use_size) sum += 1.0 - (ra.size + rb.size) / image_size;
    if (use_fill) {
      const double box = (ra.box | rb.box).area();
      sum += 1.0 - (box - ra.size - rb.size) / image_size;
    }
    return sum;
  };
  // Highest similarity first; among equals the lower (a, b) pair, so the order is fixed.
  using Pair = std::tuple<double, int, int>;
  auto lower_priority = [](const Pair& p, const Pair& q) {
    if (std::get<0>(p) != std::get<0>(q)) return std::get<0>(p) < std::get<0>(q);
    return std::make_pair(std::get<1>(p), std::get<2>(p)) >
           std::make_pair(std::get<1>(q), std::get<2>(q));
  };
  std::priority_queue<Pair, std::vector<Pair>, decltype(lower_priority)> queue(lower_priority);
  for (int a = 0; a < count; ++a) {
    for (int b : neighbours[a]) {
      if (a < b) queue.emplace(similarity(a, b), a, b);
    }
  }
  std::vector<bool> alive(count, true);
  while (!queue.empty()) {
    const auto [sim, a, b] = queue.top();
    queue.pop();
    (void)sim;
    if (!alive[a] || !alive[b]) continue;
    const int t = static_cast<int>(stats.size());
    RegionStats merged;
    merged.size = stats[a].size + stats[b].size;
    merged.box = stats[a].box | stats[b].box;
    const double wa = static_cast<double>(stats[a].size) / merged.size;
    auto mix = [&](const std::vector<float>& ha, const std::vector<float>& hb) {
      std::vector<float> h(ha.size());
      for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<float>(wa * ha[i] + (1 - wa) * hb[i]);
      return h;
    };
    merged.color = mix(stats[a].color, stats[b].color);
    merged.texture = mix(stats[a].texture, stats[b].texture);
    stats.push_back(std::move(merged));
    alive[a] = alive[b] = false;
    alive.push_back(true);

    GroupedRegion region;
    region.leaves = regions[a].leaves;
    region.leaves.insert(region.leaves.end(), regions[b].leaves.begin(), regions[b].leaves.end());
    region.box = stats[t].box;
    region.size = stats[t].size;
    regions.push_back(std::move(region));

    std::set<int> around;
    for (int n : neighbours[a]) around.insert(n);
    for (int n : neighbours[b]) around.insert(n);
    around.erase(a);
    around.erase(b);
    neighbours.emplace_back();
    for (int n : around) {
      if (!alive[n]) continue;
      neighbours[n].erase(a);
      neighbours[n].erase(b);
      neighbours[n].insert(t);
      neighbours[t].insert(n);
      queue.emplace(similarity(n, t), n, t);
    }
    neighbours[a].clear();
    neighbours[b].clear();
  }
  return regions;
}

}  // namespace wisenet
