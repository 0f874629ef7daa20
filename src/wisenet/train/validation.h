#pragma once
// Validation during training: counting errors of L-Net's blobs against the validation set's
// points (every class pooled per image; MAE per class is the same for one class).
#include <map>
#include <string>
#include <vector>

#include "wisenet/eval/counting.h"

namespace wisenet {

class WiseNetImpl;
class TrainingData;

struct CountingValidation {
  double mae = 0;
  double rmse = 0;
  double mean_count = 0;
  std::vector<double> game;  // GAME(0..3)
  std::map<std::string, double> values() const;  // val_mae, val_rmse, val_game1.. for the log
};

// The log columns values() fills.
std::vector<std::string> validation_columns();

// Counts objects per class on the first `limit` images (0 = all) and compares, class by
// class, with the true points: an image contributes one entry per class.
CountingValidation validate_counting(WiseNetImpl& model, TrainingData& val, int64_t limit);

// Mask AP of full predictions (embedding mode, no proposals) on the first `limit` images
// (0 = all) of a validation set with ground-truth masks; -1 values when it has none.
struct MaskValidation {
  double ap = -1;
  double ap50 = -1;
  std::map<std::string, double> values() const;  // val_ap, val_ap50
};
std::vector<std::string> mask_validation_columns();
MaskValidation validate_masks(WiseNetImpl& model, TrainingData& val, int64_t limit);

}  // namespace wisenet
