#include "wisenet/train/validation.h"

#include <set>

#include "wisenet/data/coco_results.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/model/wisenet_model.h"
#include "wisenet/train/training_data.h"

namespace wisenet {

std::map<std::string, double> CountingValidation::values() const {
  std::map<std::string, double> v = {
      {"val_mae", mae}, {"val_rmse", rmse}, {"val_mean_count", mean_count}};
  for (size_t l = 1; l < game.size(); ++l) v["val_game" + std::to_string(l)] = game[l];
  return v;
}

std::vector<std::string> validation_columns() {
  return {"val_mae", "val_rmse", "val_game1", "val_game2", "val_game3", "val_mean_count"};
}

CountingValidation validate_counting(WiseNetImpl& model, TrainingData& val, int64_t limit) {
  const size_t n = limit > 0 ? std::min<size_t>(val.size(), static_cast<size_t>(limit)) : val.size();
  const int classes = val.classes().num_classes();
  std::vector<CountingImage> images;
  for (size_t i = 0; i < n; ++i) {
    const Sample& sample = val.sample(i);
    const Localization loc = localize(model, sample.image);
    for (int c = 1; c <= classes; ++c) {
      CountingImage im;
      im.width = sample.image.cols;
      im.height = sample.image.rows;
      for (const auto& o : loc.objects) {
        if (o.channel == c) im.predicted.push_back({o.seed.x, o.seed.y, c});
      }
      for (const auto& p : sample.points) {
        if (p.category == c) im.truth.push_back(p);
      }
      images.push_back(std::move(im));
    }
  }
  const CountErrors e = count_errors(images, 3);
  CountingValidation v;
  v.mae = e.mae;
  v.rmse = e.rmse;
  v.mean_count = e.mean_count;
  v.game = e.game;
  return v;
}

std::map<std::string, double> MaskValidation::values() const {
  return {{"val_ap", ap}, {"val_ap50", ap50}};
}

std::vector<std::string> mask_validation_columns() { return {"val_ap", "val_ap50"}; }

MaskValidation validate_masks(WiseNetImpl& model, TrainingData& val, int64_t limit) {
  MaskValidation v;
  const CocoDataset& all = val.dataset();
  const size_t n = limit > 0 ? std::min<size_t>(all.images.size(), static_cast<size_t>(limit))
                             : all.images.size();
  CocoDataset subset;
  subset.source = all.source;
  subset.categories = all.categories;
  subset.images.assign(all.images.begin(), all.images.begin() + static_cast<long>(n));
  std::set<int64_t> kept;
  for (const auto& image : subset.images) kept.insert(image.id);
  for (const auto& a : all.annotations) {
    if (a.has_mask && kept.count(a.image_id)) subset.annotations.push_back(a);
  }
  if (subset.annotations.empty()) return v;
  std::vector<Detection> detections;
  for (size_t i = 0; i < n; ++i) {
    for (const Instance& inst :
         predict_instances(model, val.classes(), val.sample(i).image, nullptr, {})) {
      detections.push_back({subset.images[i].id, inst});
    }
  }
  const CocoEvalResult r = evaluate_coco(subset, detections, {});
  v.ap = r.AP;
  v.ap50 = r.AP50;
  return v;
}

}  // namespace wisenet
