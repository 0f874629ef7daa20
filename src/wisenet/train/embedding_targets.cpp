#include "wisenet/train/embedding_targets.h"

#include <string>

#include <opencv2/core.hpp>

#include "wisenet/core/error.h"

namespace wisenet {

namespace {
// Category marking the background region among the carried instances.
constexpr int kBackgroundCategory = -1;
}  // namespace

EmbeddingTargets embedding_targets(const Sample& sample, const ProposalCache& cache,
                                   const PointProposalOptions& options) {
  const Proposals proposals = cache.get(sample.image);
  const PointProposals chosen =
      proposal_for_point(sample.points, proposals, sample.image.rows, sample.image.cols, options);
  return {chosen.pseudo_masks, chosen.background};
}

EmbeddingTargets mask_targets(const Sample& sample) {
  const std::string where = "image " + std::to_string(sample.image_id) + " (\"" +
                            sample.file_name + "\")";
  if (sample.instances.size() != sample.points.size()) {
    throw Error(where + ": " + std::to_string(sample.points.size()) + " points but " +
                std::to_string(sample.instances.size()) +
                " masks; mask supervision needs a mask and a point on every object");
  }
  EmbeddingTargets targets;
  cv::Mat covered(sample.image.rows, sample.image.cols, CV_8U, cv::Scalar(0));
  for (size_t i = 0; i < sample.instances.size(); ++i) {
    const Instance& inst = sample.instances[i];
    if (!inst.point || !(*inst.point == sample.points[i])) {
      throw Error(where + ": mask " + std::to_string(i) + " does not carry point " +
                  std::to_string(i));
    }
    targets.pseudo_masks.push_back(inst.mask);
    covered.setTo(1, inst.mask.to_mask());
  }
  const cv::Mat background = covered == 0;
  targets.background = Rle::from_mask(background);
  return targets;
}

Sample with_targets(const Sample& sample, const EmbeddingTargets& targets) {
  if (targets.pseudo_masks.size() != sample.points.size()) {
    throw Error("embedding targets: one pseudo-mask per point expected");
  }
  Sample out = sample;
  out.instances.clear();
  for (size_t i = 0; i < targets.pseudo_masks.size(); ++i) {
    Instance inst;
    inst.category = sample.points[i].category;
    inst.mask = targets.pseudo_masks[i];
    inst.point = sample.points[i];
    out.instances.push_back(std::move(inst));
  }
  Instance background;
  background.category = kBackgroundCategory;
  background.mask = targets.background;
  out.instances.push_back(std::move(background));
  return out;
}

EmbeddingTargets targets_of(const Sample& augmented) {
  EmbeddingTargets targets;
  for (const auto& inst : augmented.instances) {
    if (inst.category == kBackgroundCategory) {
      targets.background = inst.mask;
    } else {
      targets.pseudo_masks.push_back(inst.mask);
    }
  }
  if (targets.pseudo_masks.size() != augmented.points.size()) {
    throw Error("embedding targets: a pseudo-mask was lost by augmentation");
  }
  return targets;
}

}  // namespace wisenet
