#include "wisenet/train/validation.h"

#include "wisenet/infer/localizer.h"
#include "wisenet/model/wisenet_model.h"
#include "wisenet/train/training_data.h"

namespace wisenet {

std::map<std::string, double> CountingValidation::values() const {
  std::map<std::string, double> v = {{"val_mae", mae}, {"val_rmse", rmse}};
  for (size_t l = 1; l < game.size(); ++l) v["val_game" + std::to_string(l)] = game[l];
  return v;
}

std::vector<std::string> validation_columns() {
  return {"val_mae", "val_rmse", "val_game1", "val_game2", "val_game3"};
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

}  // namespace wisenet
