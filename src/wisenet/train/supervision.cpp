#include "wisenet/train/supervision.h"

#include "wisenet/core/error.h"
#include "wisenet/loss/mask_cross_entropy.h"

namespace wisenet {

const char* supervision_name(Supervision supervision) {
  switch (supervision) {
    case Supervision::kFull:
      return "full";
    case Supervision::kMixed:
      return "mixed";
    case Supervision::kPoints:
      break;
  }
  return "points";
}

Supervision supervision_from_name(const std::string& name) {
  if (name == "points") return Supervision::kPoints;
  if (name == "full") return Supervision::kFull;
  if (name == "mixed") return Supervision::kMixed;
  throw Error("supervision must be \"points\", \"full\" or \"mixed\", got \"" + name + "\"");
}

bool annotations_have_masks(const std::vector<const Annotation*>& annotations) {
  if (annotations.empty()) return false;
  for (const Annotation* a : annotations) {
    if (!a->has_mask) return false;
  }
  return true;
}

std::vector<bool> mask_supervised_images(const CocoDataset& dataset, Supervision supervision) {
  const auto by_image = dataset.annotations_by_image();
  std::vector<bool> masked(dataset.images.size(), false);
  if (supervision == Supervision::kPoints) return masked;
  for (size_t i = 0; i < masked.size(); ++i) {
    const bool has_masks = annotations_have_masks(by_image[i]);
    if (supervision == Supervision::kFull && !has_masks && !by_image[i].empty()) {
      throw Error(dataset.source, "image " + std::to_string(dataset.images[i].id) + " (\"" +
                                      dataset.images[i].file_name +
                                      "\") has an annotation without a mask; --supervision full "
                                      "needs masks on every object (use mixed)");
    }
    masked[i] = supervision == Supervision::kFull || has_masks;
  }
  return masked;
}

LocalizationLoss localization_loss(const at::Tensor& logits, const Sample& sample, bool use_masks,
                                   const LcfcnOptions& lcfcn) {
  LocalizationLoss out;
  if (use_masks) {
    const at::Tensor target =
        class_map_target(sample.instances, sample.image.rows, sample.image.cols);
    out.total = mask_cross_entropy(logits, target);
    out.terms["mask_ce"] = out.total;
    out.terms["total"] = out.total;
    return out;
  }
  const LcfcnTerms t =
      logits.dim() == 3
          ? lcfcn_loss_from_logits(logits, sample.points, lcfcn)
          : lcfcn_loss_from_logits(logits, std::vector<std::vector<Point>>{sample.points}, lcfcn);
  const std::pair<const char*, const at::Tensor*> named[] = {{"image", &t.image},
                                                             {"point", &t.point},
                                                             {"split_local", &t.split_local},
                                                             {"split_global", &t.split_global},
                                                             {"false_positive", &t.false_positive},
                                                             {"background", &t.background},
                                                             {"total", &t.total}};
  for (const auto& [name, tensor] : named) {
    if (tensor->defined()) out.terms[name] = *tensor;
  }
  out.total = t.total;
  return out;
}

}  // namespace wisenet
