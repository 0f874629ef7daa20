#include "wisenet/infer/instances_cv.h"

#include <string>

#include <opencv2/imgproc.hpp>

#include "wisenet/core/error.h"
#include "wisenet/infer/background_seeds.h"
#include "wisenet/infer/instance_masks_cv.h"
#include "wisenet/proposals/proposal_for_point.h"

namespace wisenet {

namespace {

Instance make_instance(const ObjectSeed& s, Rle mask, double score) {
  Instance in;
  in.category = s.category;
  in.score = score;
  in.bbox = mask.bbox();
  in.area = static_cast<double>(mask.area());
  in.mask = std::move(mask);
  in.point = Point{s.pixel.x, s.pixel.y, s.category};
  return in;
}

// The candidate proposal (score > threshold, containing the seed) of highest Dice with `mask`:
// its index (-1 with no candidate) and that Dice (0 with none). Ties keep the earlier, i.e. the
// higher-scoring, candidate.
struct DiceMatch {
  int index = -1;
  double dice = 0;
};
DiceMatch best_dice_candidate(const Rle& mask, cv::Point seed, const Proposals& proposals,
                              double threshold) {
  DiceMatch best;
  for (int i : seed_candidates(seed, proposals, threshold)) {
    const double d = dice(mask, proposals[i].mask);
    if (best.index < 0 || d > best.dice) best = {i, d};
  }
  return best;
}

}  // namespace

void check_proposals_for_mode(const PredictOptions& options, const Proposals* proposals) {
  if (options.mode != PredictionMode::kEmbedding && proposals == nullptr) {
    throw Error("prediction mode " + to_string(options.mode) + " needs proposals");
  }
  if (options.agreement_score) {
    if (options.mode != PredictionMode::kEmbedding) {
      throw Error("prediction: the agreement score applies to the embedding mode only, not " +
                  to_string(options.mode));
    }
    if (proposals == nullptr) throw Error("prediction: the agreement score needs proposals");
  }
}

std::vector<ObjectSeed> object_seeds(const Localization& located, const ClassMap& classes) {
  std::vector<ObjectSeed> seeds;
  for (const LocatedObject& o : located.objects) {
    seeds.push_back({o.seed, classes.category_of(o.channel), o.max_probability});
  }
  return seeds;
}

Rle background_region(const std::vector<ObjectSeed>& seeds, const Proposals* proposals,
                      const Localization* located, const PredictOptions& options, int height,
                      int width) {
  std::vector<cv::Point> pixels;
  for (const ObjectSeed& s : seeds) pixels.push_back(s.pixel);
  const auto outside_blobs = [&] {
    return background_seed_region(pixels, {}, options.proposal_threshold, height, width,
                                  located->blob_map.blob_index < 0);
  };
  if (proposals == nullptr) {
    if (located == nullptr) throw Error("background_region: needs proposals or a localization");
    return outside_blobs();
  }
  const int64_t needed = static_cast<int64_t>(seeds.size());
  Rle region =
      background_seed_region(pixels, *proposals, options.proposal_threshold, height, width);
  if (region.area() >= needed) return region;
  std::vector<Point> points;
  for (const cv::Point& p : pixels) points.push_back({p.x, p.y, 0});
  PointProposalOptions chosen_options;
  chosen_options.score_threshold = options.proposal_threshold;
  const PointProposals chosen =
      proposal_for_point(points, *proposals, height, width, chosen_options);
  region = chosen.background;  // already excludes the seed pixels (their pseudo-masks)
  if (region.area() >= needed) return region;
  const bool have_blobs = located != nullptr && !located->blob_map.blob_index.empty() &&
                          located->blob_map.blob_index.rows == height &&
                          located->blob_map.blob_index.cols == width;
  return have_blobs ? outside_blobs() : region;
}

Rle component_holding(const Rle& mask, cv::Point pixel) {
  if (!mask.contains(pixel.x, pixel.y)) return mask;
  cv::Mat components;
  cv::connectedComponents(mask.to_mask(), components, 8, CV_32S);
  return Rle::from_mask(components == components.at<int32_t>(pixel));
}

std::vector<cv::Point> seed_pixels(const std::vector<ObjectSeed>& seeds, const Rle& region,
                                   const PredictOptions& options) {
  if (options.background_seeds_per_object < 1) {
    throw Error("prediction: background seeds per object must be at least 1, got " +
                std::to_string(options.background_seeds_per_object));
  }
  std::vector<cv::Point> all;
  for (const ObjectSeed& s : seeds) all.push_back(s.pixel);
  const std::vector<cv::Point> back =
      background_seeds(region, static_cast<int>(seeds.size()) * options.background_seeds_per_object,
                       options.background_seed);
  all.insert(all.end(), back.begin(), back.end());
  return all;
}

std::vector<Instance> instances_from_labels(const cv::Mat& labels,
                                            const std::vector<ObjectSeed>& seeds,
                                            const Proposals* proposals,
                                            const PredictOptions& options) {
  check_proposals_for_mode(options, proposals);
  if (labels.type() != CV_32S || labels.dims != 2) {
    throw Error("instances_from_labels: labels must be an H x W CV_32S map");
  }
  std::vector<Instance> out;
  const std::vector<Rle> masks = seed_masks(labels, static_cast<int>(seeds.size()));
  for (size_t k = 0; k < seeds.size(); ++k) {
    const ObjectSeed& s = seeds[k];
    const Rle joined = options.seed_component ? component_holding(masks[k], s.pixel) : masks[k];
    Rle mask = joined;
    double score = s.score;
    if (options.mode == PredictionMode::kBestDice) {
      const DiceMatch best =
          best_dice_candidate(joined, s.pixel, *proposals, options.proposal_threshold);
      if (best.index >= 0) {
        mask = (*proposals)[best.index].mask;
        score = best.dice;
      }
    } else if (options.mode == PredictionMode::kBestObjectness) {
      double best = -1;
      for (const Proposal& p : *proposals) {
        if (p.score > best && p.mask.contains(s.pixel.x, s.pixel.y)) {
          best = p.score;
          mask = p.mask;
          score = p.score;
        }
      }
    } else if (options.agreement_score) {  // embedding mode
      score *= best_dice_candidate(joined, s.pixel, *proposals, options.proposal_threshold).dice;
    }
    out.push_back(make_instance(s, std::move(mask), score));
  }
  return out;
}

std::vector<Instance> instances_from_embeddings(const cv::Mat& embeddings,
                                                const std::vector<ObjectSeed>& seeds,
                                                const Rle& region, const Proposals* proposals,
                                                const PredictOptions& options) {
  check_proposals_for_mode(options, proposals);
  if (seeds.empty()) return {};
  const double max_distance2 =
      options.min_similarity > 0
          ? squared_distance_at_similarity(options.min_similarity, options.similarity_form,
                                           embeddings.size[0])
          : kNoDistanceLimit;
  const cv::Mat labels = join_most_similar_seed(embeddings, seed_pixels(seeds, region, options),
                                                cv::Size(region.width(), region.height()),
                                                static_cast<int>(seeds.size()),
                                                options.spatial_weight, max_distance2);
  return instances_from_labels(labels, seeds, proposals, options);
}

std::vector<Instance> instances_from_localization(const Localization& located,
                                                  const cv::Mat& embeddings,
                                                  const ClassMap& classes,
                                                  const Proposals* proposals,
                                                  const PredictOptions& options) {
  if (located.objects.empty()) return {};
  const int h = located.blob_map.blob_index.rows, w = located.blob_map.blob_index.cols;
  if (embeddings.dims != 3) {
    throw Error("instances_from_localization: embeddings must be a 3-D D x H x W Mat, got " +
                std::to_string(embeddings.dims) + " dimensions");
  }
  const std::vector<ObjectSeed> seeds = object_seeds(located, classes);
  const Rle region = background_region(seeds, proposals, &located, options, h, w);
  return instances_from_embeddings(embeddings, seeds, region, proposals, options);
}

}  // namespace wisenet
