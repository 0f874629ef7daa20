#pragma once
// Prediction after the networks (wisenet.md section 6, steps 2-4) without libtorch: seeds from
// L-Net's blobs, background seeds, every pixel to its most similar seed, then one of the three
// output modes. The libtorch predictor (predictor.h) and the OpenCV dnn path
// (deploy/onnx_runner.h) both end here; predictor.h adds overloads taking tensors.
// Usage:
//   Localization located = localize_from_probabilities(maps);           // localization.h
//   cv::Mat e(std::vector<int>{D, H, W}, CV_32F, data);                  // E-Net's output
//   std::vector<Instance> objects =
//       instances_from_localization(located, e, classes, &proposals, options);
#include <vector>

#include <opencv2/core.hpp>

#include "wisenet/core/rle.h"
#include "wisenet/core/types.h"
#include "wisenet/data/class_map.h"
#include "wisenet/infer/localization.h"
#include "wisenet/infer/predict_options.h"
#include "wisenet/proposals/proposal.h"

namespace wisenet {

// Throws wisenet::Error when options.mode needs proposals (the best-* modes) and they are null,
// and when options.agreement_score is set outside the embedding mode or without proposals.
void check_proposals_for_mode(const PredictOptions& options, const Proposals* proposals);

// One object seed per located object, in order: category = classes.category_of(channel),
// score = the blob's highest probability.
std::vector<ObjectSeed> object_seeds(const Localization& located, const ClassMap& classes);

// Where background seeds may be drawn (seed pixels always excluded):
//  - with proposals: the pixels no candidate proposal of any seed covers (section 6). Our
//    hierarchical proposals include merges that span most of the image, so that region is often
//    empty, which would leave no background seed at all and give the whole background to the
//    objects. When it holds fewer than seeds.size() pixels, the region falls back to section 4's
//    background: the pixels outside every seed's chosen proposal (proposal_for_point with the
//    seeds as points), and, if that is still too small and `located` has blobs, to the pixels
//    outside the blobs;
//  - with proposals null: the pixels outside the blobs of `located` (then required).
Rle background_region(const std::vector<ObjectSeed>& seeds, const Proposals* proposals,
                      const Localization* located, const PredictOptions& options, int height,
                      int width);

// The 8-connected part of `mask` that holds `pixel`; the mask itself when it does not hold it.
Rle component_holding(const Rle& mask, cv::Point pixel);

// The pixels every pixel is joined to: the object seeds in order, then K = seeds.size() *
// options.background_seeds_per_object background seeds drawn from `region` with
// PixelSampler(options.background_seed) (fewer, none, when the region is empty).
std::vector<cv::Point> seed_pixels(const std::vector<ObjectSeed>& seeds, const Rle& region,
                                   const PredictOptions& options);

// Step 4: labels is the H x W CV_32S map of join_most_similar_seed over seed_pixels(seeds,
// ...), so label k < seeds.size() is object seed k. Ensures one instance per seed, in seed
// order, with point = the seed, bbox and area from the mask, id 0. Embedding mode: the seed's
// pixels, score = the seed's. Best-dice: the candidate (score > threshold, containing the seed)
// of highest Dice with the embedding mask, score = that Dice (ties: the earlier in the list,
// i.e. the higher objectness). Best-objectness: the highest-scoring proposal of any score
// containing the seed, score = its objectness. A seed without such a proposal keeps its
// embedding mask and score. options.agreement_score (embedding mode): score = the seed's x the
// highest Dice of its mask with a candidate, 0 with no candidate. Proposals may be null in
// embedding mode without the agreement score only (else wisenet::Error).
std::vector<Instance> instances_from_labels(const cv::Mat& labels,
                                            const std::vector<ObjectSeed>& seeds,
                                            const Proposals* proposals,
                                            const PredictOptions& options);

// Steps 3-4: embeddings is a 3-D D x gh x gw CV_32F Mat, the E-Net head's grid or a
// full-resolution map (instance_masks_cv.h); `region`: H x W, the image, where background seeds
// may be drawn. join_most_similar_seed(embeddings, seed_pixels(...), H x W), then
// instances_from_labels.
std::vector<Instance> instances_from_embeddings(const cv::Mat& embeddings,
                                                const std::vector<ObjectSeed>& seeds,
                                                const Rle& region, const Proposals* proposals,
                                                const PredictOptions& options);

// Steps 2-4 after both networks ran: object_seeds, background_region, then
// instances_from_embeddings. No located objects: no instances. embeddings: D x gh x gw CV_32F of
// the located image, upsampled to the probability maps' size (a 3-D Mat; else wisenet::Error).
std::vector<Instance> instances_from_localization(const Localization& located,
                                                  const cv::Mat& embeddings,
                                                  const ClassMap& classes,
                                                  const Proposals* proposals,
                                                  const PredictOptions& options);

}  // namespace wisenet
