#pragma once
// What each training image teaches (issue #5): its points (WISE-Net, the default), its true
// masks (the fully supervised upper bound and the annotation-budget baseline), or, in a mixed
// dataset, its masks where it has them and its points elsewhere.
//
// The rule, per image:
//   points: every image learns from its points (LCFCN loss; proposals as E-Net pseudo-masks).
//   full:   every image learns from its masks (per-pixel cross-entropy for L-Net; the true
//           instance masks as E-Net pseudo-masks, no proposals). An image with an annotation
//           that has no mask is an error; an image without annotations is all background.
//   mixed:  an image learns from its masks when it "has masks": at least one annotation and
//           every annotation with a segmentation. Otherwise (some annotation is a point only,
//           or none at all) it learns from its points.
#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "wisenet/core/types.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/loss/lcfcn_loss.h"

namespace wisenet {

enum class Supervision { kPoints, kFull, kMixed };

const char* supervision_name(Supervision supervision);  // "points" | "full" | "mixed"
// Throws wisenet::Error for any other name.
Supervision supervision_from_name(const std::string& name);

// Whether an image with these annotations has masks: at least one, every one with a mask.
bool annotations_have_masks(const std::vector<const Annotation*>& annotations);

// Per image of `dataset` (in its order): true = learn from the masks, false = from the points,
// by the rule above. Under `full` an image with a points-only annotation throws wisenet::Error
// naming the dataset file and the image.
std::vector<bool> mask_supervised_images(const CocoDataset& dataset, Supervision supervision);

// L-Net's loss of one image. use_masks: the per-pixel cross-entropy against the class map of
// sample.instances (terms "mask_ce" and "total"); otherwise the LCFCN loss of sample.points
// (terms "image", "point", "split_local", "split_global", "false_positive", "background",
// "total"). logits: (C+1)xHxW or 1x(C+1)xHxW; sample categories are channels (1..C).
struct LocalizationLoss {
  at::Tensor total;                         // 0-dim, differentiable
  std::map<std::string, at::Tensor> terms;  // the named terms (defined ones only)
};
LocalizationLoss localization_loss(const at::Tensor& logits, const Sample& sample, bool use_masks,
                                   const LcfcnOptions& lcfcn);

}  // namespace wisenet
