#pragma once
// The options of prediction (wisenet.md section 6) and its object seeds, without libtorch:
// shared by the libtorch predictor (predictor.h) and the OpenCV dnn path (deploy/onnx_runner.h).
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "wisenet/loss/similarity_form.h"

namespace wisenet {

enum class PredictionMode {
  kEmbedding,       // the seeds' embedding masks; score = the seed's S_c (default)
  kBestDice,        // the seed's candidate proposal of highest Dice with its embedding mask
  kBestObjectness,  // the highest-scoring proposal containing the seed (LCFCN + proposals)
};

// "embedding" | "best-dice" | "best-objectness"; anything else is a wisenet::Error.
PredictionMode parse_prediction_mode(const std::string& text);
std::string to_string(PredictionMode mode);

struct PredictOptions {
  PredictionMode mode = PredictionMode::kEmbedding;
  double proposal_threshold = 0.5;  // candidates: proposals with score > this (section 4)
  uint64_t background_seed = 0;     // RNG seed of the background seeds
  // Background seeds drawn per object seed (section 6: 1). More of them keep an embedding's
  // masks out of background that no single background seed resembles.
  int background_seeds_per_object = 1;
  // Keep of each seed's joined pixels only the 8-connected part that holds the seed (section 6
  // keeps them all): a far region that happens to resemble the seed is dropped.
  bool seed_component = false;
  // Embedding mode only: score = S_c x the highest Dice between the mask and a candidate
  // proposal of its seed (0 with none), so that masks no proposal supports rank last (section
  // 6: S_c alone). Needs proposals.
  bool agreement_score = false;
  // > 0: the pixels that join an object seed are split among the object seeds by least
  // |e(p) - e(s)|^2 + spatial_weight |p - s|^2, distances in image pixels (section 6: 0,
  // the embedding alone), so that touching objects that look alike are split between their
  // seeds (join_most_similar_seed, instance_masks_cv.h).
  double spatial_weight = 0;
  // In (0, 1): a pixel joins its object seed only when their similarity S exceeds this (0.5:
  // the E-Net's "same object" beats "different", the two outcomes its loss scores), else the
  // background (section 6: 0, the most similar seed alone). S in the form the E-Net was
  // trained with, `similarity_form`.
  double min_similarity = 0;
  SimilarityForm similarity_form = SimilarityForm::kExponential;
};

// One object seed: its pixel, its dataset category id and its score (S_c at the pixel).
struct ObjectSeed {
  cv::Point pixel;
  int category = 0;
  double score = 1.0;
};

}  // namespace wisenet
