#include "wisenet/infer/instance_masks_cv.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/infer/nearest_seed_cv.h"
#include "wisenet/infer/position_channels.h"

namespace wisenet {

std::vector<int64_t> seed_pixel_indices(const std::vector<cv::Point>& seeds, int height,
                                        int width) {
  if (seeds.empty()) throw Error("join_most_similar_seed: no seeds");
  std::vector<int64_t> out;
  out.reserve(seeds.size());
  for (size_t k = 0; k < seeds.size(); ++k) {
    const cv::Point& s = seeds[k];
    if (s.x < 0 || s.y < 0 || s.x >= width || s.y >= height) {
      throw Error("join_most_similar_seed: seed " + std::to_string(k) + " (" + std::to_string(s.x) +
                  ", " + std::to_string(s.y) + ") lies outside the " + std::to_string(height) +
                  "x" + std::to_string(width) + " image");
    }
    out.push_back(static_cast<int64_t>(s.y) * width + s.x);
  }
  return out;
}

cv::Mat join_most_similar_seed(const cv::Mat& embeddings, const std::vector<cv::Point>& seeds,
                               cv::Size out_size, int object_count, double spatial_weight,
                               double max_object_distance2) {
  if (embeddings.dims != 3 || embeddings.type() != CV_32F) {
    throw Error("join_most_similar_seed: embeddings must be a 3-D D x H x W CV_32F Mat");
  }
  if (!(spatial_weight >= 0) || !std::isfinite(spatial_weight)) {
    throw Error("join_most_similar_seed: the spatial weight must be a finite number >= 0, got " +
                std::to_string(spatial_weight));
  }
  if (!(max_object_distance2 > 0)) {
    throw Error("join_most_similar_seed: the distance limit must be positive, got " +
                std::to_string(max_object_distance2));
  }
  if (max_object_distance2 != kNoDistanceLimit && object_count < 0) {
    throw Error("join_most_similar_seed: a distance limit needs the background seeds' label");
  }
  const int dim = embeddings.size[0];
  if (out_size.empty()) out_size = cv::Size(embeddings.size[2], embeddings.size[1]);
  const std::vector<int64_t> pixels = seed_pixel_indices(seeds, out_size.height, out_size.width);
  const cv::Mat grid = embeddings.isContinuous() ? embeddings : embeddings.clone();
  cv::Mat seed_embeddings(static_cast<int>(seeds.size()), dim, CV_64F);
  for (size_t k = 0; k < seeds.size(); ++k) {
    interpolate_embedding(grid, out_size, seeds[k],
                          seed_embeddings.ptr<double>(static_cast<int>(k)));
  }
  cv::Mat labels = nearest_seed(grid, seed_embeddings, out_size, object_count);
  const int objects = object_count < 0 ? static_cast<int>(seeds.size())
                                       : std::min(object_count, static_cast<int>(seeds.size()));
  if (spatial_weight > 0 && objects >= 2) {
    const cv::Mat placed = with_position_channels(grid, out_size, spatial_weight);
    cv::Mat placed_seeds(objects, dim + 2, CV_64F);
    for (int k = 0; k < objects; ++k) {
      interpolate_embedding(placed, out_size, seeds[k], placed_seeds.ptr<double>(k));
    }
    const cv::Mat by_position = nearest_seed(placed, placed_seeds, out_size);
    by_position.copyTo(labels, labels < objects);
  }
  if (max_object_distance2 != kNoDistanceLimit) {
    // Each object pixel's embedding in double, as the seeds', against its own seed's.
    cv::parallel_for_(cv::Range(0, out_size.height), [&](const cv::Range& rows) {
      std::vector<double> e(dim);
      for (int y = rows.start; y < rows.end; ++y) {
        int* row = labels.ptr<int>(y);
        for (int x = 0; x < out_size.width; ++x) {
          if (row[x] >= objects) continue;
          interpolate_embedding(grid, out_size, {x, y}, e.data());
          const double* s = seed_embeddings.ptr<double>(row[x]);
          double d2 = 0;
          for (int d = 0; d < dim; ++d) d2 += (e[d] - s[d]) * (e[d] - s[d]);
          if (d2 >= max_object_distance2) row[x] = objects;
        }
      }
    });
  }
  int* out = labels.ptr<int>();
  for (size_t k = 0; k < pixels.size(); ++k) {
    const int label = static_cast<int>(k);
    out[pixels[k]] = object_count < 0 ? label : std::min(label, object_count);
  }
  return labels;
}

std::vector<Rle> seed_masks(const cv::Mat& labels, int count) {
  // One pass over the labels in RLE (column-major) order, each label extending its last run
  // or opening a new one after the zeros since.
  cv::Mat columns;
  cv::transpose(labels, columns);
  const int64_t total = static_cast<int64_t>(labels.rows) * labels.cols;
  std::vector<std::vector<int64_t>> counts(std::max(count, 0));
  std::vector<int64_t> run_end(counts.size(), 0);
  const int* label = columns.ptr<int>();
  for (int64_t p = 0; p < total; ++p) {
    const int k = label[p];
    if (k < 0 || k >= count) continue;
    std::vector<int64_t>& c = counts[k];
    if (!c.empty() && run_end[k] == p) {
      ++c.back();
    } else {
      c.push_back(p - run_end[k]);
      c.push_back(1);
    }
    run_end[k] = p + 1;
  }
  std::vector<Rle> out;
  for (size_t k = 0; k < counts.size(); ++k) {
    if (run_end[k] < total) counts[k].push_back(total - run_end[k]);
    out.push_back(Rle::from_counts(labels.rows, labels.cols, counts[k], "seed_masks"));
  }
  return out;
}

double dice(const Rle& a, const Rle& b) {
  const int64_t sum = a.area() + b.area();
  return sum == 0 ? 0.0 : 2.0 * static_cast<double>(a.intersection(b)) / static_cast<double>(sum);
}

}  // namespace wisenet
