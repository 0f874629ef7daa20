#include "wisenet/infer/predictor.h"

#include <torch/torch.h>

#include "wisenet/core/error.h"
#include "wisenet/infer/instance_masks.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {

namespace {

// E-Net's embeddings of one image as its head's D x gh x gw grid (the join upsamples it to the
// image, instance_masks_cv.h), eval mode, no gradient.
at::Tensor run_enet(WiseNetImpl& model, const cv::Mat& rgb) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor e = model.embedding_grid(image_to_tensor(rgb))[0];
  if (was_training) model.train();
  return e;
}

}  // namespace

std::vector<Instance> instances_from_embeddings(const at::Tensor& embeddings,
                                                const std::vector<ObjectSeed>& seeds,
                                                const Rle& region, const Proposals* proposals,
                                                const PredictOptions& options) {
  const at::Tensor e = embeddings_on_cpu(embeddings);
  return instances_from_embeddings(embeddings_mat(e), seeds, region, proposals, options);
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
  const at::Tensor e = embeddings_on_cpu(embeddings);
  return instances_from_localization(located, embeddings_mat(e), classes, proposals, options);
}

std::vector<Instance> masks_for_points(WiseNetImpl& model, const cv::Mat& rgb,
                                       const std::vector<Point>& points, const Proposals* proposals,
                                       const PredictOptions& options) {
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
  const Rle region = background_region(seeds, proposals, &located, options, rgb.rows, rgb.cols);
  return instances_from_embeddings(run_enet(model, rgb), seeds, region, proposals, options);
}

}  // namespace wisenet
