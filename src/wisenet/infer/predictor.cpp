#include "wisenet/infer/predictor.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/infer/background_seeds.h"
#include "wisenet/infer/instance_masks.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/wisenet_model.h"

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

// E-Net's D x H x W embeddings of one image, eval mode, no gradient.
at::Tensor run_enet(WiseNetImpl& model, const cv::Mat& rgb) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor e = model.embed(image_to_tensor(rgb))[0];
  if (was_training) model.train();
  return e;
}

Rle region_for(const std::vector<ObjectSeed>& seeds, const Proposals* proposals,
               const Localization* located, const PredictOptions& options, int h, int w) {
  std::vector<cv::Point> pixels;
  for (const ObjectSeed& s : seeds) pixels.push_back(s.pixel);
  if (proposals != nullptr) {
    return background_seed_region(pixels, *proposals, options.proposal_threshold, h, w);
  }
  cv::Mat outside_blobs = located->blob_map.blob_index < 0;
  return background_seed_region(pixels, {}, options.proposal_threshold, h, w, outside_blobs);
}

}  // namespace

PredictionMode parse_prediction_mode(const std::string& text) {
  if (text == "embedding") return PredictionMode::kEmbedding;
  if (text == "best-dice") return PredictionMode::kBestDice;
  if (text == "best-objectness") return PredictionMode::kBestObjectness;
  throw Error("prediction mode must be embedding, best-dice or best-objectness, got \"" + text +
              "\"");
}

std::string to_string(PredictionMode mode) {
  switch (mode) {
    case PredictionMode::kBestDice:
      return "best-dice";
    case PredictionMode::kBestObjectness:
      return "best-objectness";
    default:
      return "embedding";
  }
}

std::vector<Instance> instances_from_embeddings(const at::Tensor& embeddings,
                                                const std::vector<ObjectSeed>& seeds,
                                                const Rle& region, const Proposals* proposals,
                                                const PredictOptions& options) {
  if (options.mode != PredictionMode::kEmbedding && proposals == nullptr) {
    throw Error("prediction mode " + to_string(options.mode) + " needs proposals");
  }
  std::vector<Instance> out;
  if (seeds.empty()) return out;
  std::vector<cv::Point> all;
  for (const ObjectSeed& s : seeds) all.push_back(s.pixel);
  const std::vector<cv::Point> back =
      background_seeds(region, static_cast<int>(seeds.size()), options.background_seed);
  all.insert(all.end(), back.begin(), back.end());
  const std::vector<Rle> masks =
      seed_masks(join_most_similar_seed(embeddings, all), static_cast<int>(seeds.size()));

  for (size_t k = 0; k < seeds.size(); ++k) {
    const ObjectSeed& s = seeds[k];
    Rle mask = masks[k];
    double score = s.score;
    if (options.mode == PredictionMode::kBestDice) {
      double best = -1;
      for (int i : seed_candidates(s.pixel, *proposals, options.proposal_threshold)) {
        const double d = dice(masks[k], (*proposals)[i].mask);
        if (d > best) {  // ties keep the earlier (higher-scoring) candidate
          best = d;
          mask = (*proposals)[i].mask;
          score = d;
        }
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
    }
    out.push_back(make_instance(s, std::move(mask), score));
  }
  return out;
}

std::vector<Instance> predict_instances(WiseNetImpl& model, const ClassMap& classes,
                                        const cv::Mat& rgb, const Proposals* proposals,
                                        const PredictOptions& options) {
  const Localization located = localize(model, rgb);
  if (located.objects.empty()) return {};
  return instances_from_localization(located, run_enet(model, rgb), classes, proposals, options);
}

std::vector<Instance> instances_from_localization(const Localization& located,
                                                  const at::Tensor& embeddings,
                                                  const ClassMap& classes,
                                                  const Proposals* proposals,
                                                  const PredictOptions& options) {
  if (located.objects.empty()) return {};
  std::vector<ObjectSeed> seeds;
  for (const LocatedObject& o : located.objects) {
    seeds.push_back({o.seed, classes.category_of(o.channel), o.max_probability});
  }
  const int h = located.blob_map.blob_index.rows, w = located.blob_map.blob_index.cols;
  const Rle region = region_for(seeds, proposals, &located, options, h, w);
  return instances_from_embeddings(embeddings, seeds, region, proposals, options);
}

std::vector<Instance> masks_for_points(WiseNetImpl& model, const cv::Mat& rgb,
                                       const std::vector<Point>& points,
                                       const Proposals* proposals, const PredictOptions& options) {
  std::vector<ObjectSeed> seeds;
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (p.x < 0 || p.y < 0 || p.x >= rgb.cols || p.y >= rgb.rows) {
      throw Error("masks_for_points: click " + std::to_string(i) + " (" + std::to_string(p.x) +
                  ", " + std::to_string(p.y) + ") lies outside the " + std::to_string(rgb.rows) +
                  "x" + std::to_string(rgb.cols) + " image");
    }
    seeds.push_back({cv::Point(p.x, p.y), p.category, 1.0});
  }
  if (seeds.empty()) return {};
  Localization located;
  if (proposals == nullptr) located = localize(model, rgb);
  const Rle region = region_for(seeds, proposals, &located, options, rgb.rows, rgb.cols);
  return instances_from_embeddings(run_enet(model, rgb), seeds, region, proposals, options);
}

}  // namespace wisenet
