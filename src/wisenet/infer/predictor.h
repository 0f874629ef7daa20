#pragma once
// Prediction (wisenet.md section 6) with libtorch: L-Net blobs and seeds, E-Net embeddings,
// background seeds, every pixel to its most similar seed, then one of three output modes. The
// steps after the networks are torch-free (instances_cv.h); the overloads here take tensors.
//
// Usage:
//   TrainedModel t = load_trained_model("run/best.ckpt");
//   Proposals proposals = cache.get(rgb);                      // optional
//   std::vector<Instance> objects = predict_instances(*t.model, t.classes, rgb, &proposals);
#include <vector>

#include <ATen/core/Tensor.h>
#include <opencv2/core.hpp>

#include "wisenet/core/types.h"
#include "wisenet/data/class_map.h"
#include "wisenet/infer/instances_cv.h"
#include "wisenet/infer/predict_options.h"
#include "wisenet/proposals/proposal.h"

namespace wisenet {

class WiseNetImpl;
struct Localization;

// Steps 2-4 without a network. embeddings: D x gh x gw, the E-Net head's grid
// (WiseNetImpl::embedding_grid) or a full-resolution map; `region`: H x W, where background
// seeds may be drawn (K = seeds.size() of them, PixelSampler(options.background_seed));
// proposals: may be null in embedding mode only (else wisenet::Error).
// The join runs on the tensor (join_most_similar_seed, instance_masks.h), then
// instances_from_labels (instances_cv.h) gives the instances: one per seed, in seed order, with
// point = the seed, bbox and area from the mask, id 0. Embedding mode: masks are disjoint and
// each contains its seed pixel. Best-dice: the candidate (score > threshold, containing the
// seed) of highest Dice with the embedding mask, score = that Dice (ties: the earlier in the
// list, i.e. the higher objectness). Best-objectness: the highest-scoring proposal of any score
// containing the seed, score = its objectness. A seed without such a proposal keeps its
// embedding mask and score.
std::vector<Instance> instances_from_embeddings(const at::Tensor& embeddings,
                                                const std::vector<ObjectSeed>& seeds,
                                                const Rle& region, const Proposals* proposals,
                                                const PredictOptions& options);

// Steps 2-4 after both networks ran: seeds from L-Net's blobs (category =
// classes.category_of(blob channel), score = the blob's highest probability), the
// background-seed region as in predict_instances, then instances_from_embeddings.
// embeddings: D x gh x gw of the located image (grid or full-resolution). The OpenCV form
// (instances_cv.h) takes a D x gh x gw CV_32F Mat and gives the same instances on the same
// floats.
std::vector<Instance> instances_from_localization(const Localization& located,
                                                  const at::Tensor& embeddings,
                                                  const ClassMap& classes,
                                                  const Proposals* proposals,
                                                  const PredictOptions& options);

// The whole of section 6 on one RGB image (CV_8UC3). No blobs: no instances; otherwise one
// instance per blob (no cap), category = classes.category_of(blob channel), seed = the blob's
// seed. The background-seed region is the complement of the seeds' candidate proposals, or,
// with proposals null, of the blobs. The model runs in eval mode without gradient; its mode is
// restored.
std::vector<Instance> predict_instances(WiseNetImpl& model, const ClassMap& classes,
                                        const cv::Mat& rgb, const Proposals* proposals = nullptr,
                                        const PredictOptions& options = {});

// For an annotator's clicks: the clicks (x, y, category id) are the seeds instead of blobs;
// one instance per click, in click order, score 1 in embedding mode. The background-seed
// region is as in predict_instances, with L-Net's blobs computed when proposals are null.
// Clicks outside the image are a wisenet::Error.
std::vector<Instance> masks_for_points(WiseNetImpl& model, const cv::Mat& rgb,
                                       const std::vector<Point>& points,
                                       const Proposals* proposals = nullptr,
                                       const PredictOptions& options = {});

}  // namespace wisenet
