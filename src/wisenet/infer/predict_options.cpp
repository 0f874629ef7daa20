#include "wisenet/infer/predict_options.h"

#include "wisenet/core/error.h"

namespace wisenet {

PredictionMode parse_prediction_mode(const std::string& text) {
  if (text == "embedding") return PredictionMode::kEmbedding;
  if (text == "best-dice") return PredictionMode::kBestDice;
  if (text == "best-objectness") return PredictionMode::kBestObjectness;
  throw Error("prediction mode must be embedding, best-dice or best-objectness, got \"" + text +
              "\"");
}

std::string to_string(PredictionMode mode) {
  switch (mode) {
    case PredictionMode::kBestDice:
      return "best-dice";
    case PredictionMode::kBestObjectness:
      return "best-objectness";
    default:
      return "embedding";
  }
}

}  // namespace wisenet
