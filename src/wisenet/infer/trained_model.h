#pragma once
// A trained model read back from a checkpoint, ready for inference.
#include <string>

#include "wisenet/data/class_map.h"
#include "wisenet/loss/similarity_form.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {

struct TrainedModel {
  WiseNet model{nullptr};
  ClassMap classes;       // channel -> dataset category id and name
  CheckpointInfo info;
  // The form of S the E-Net was trained with (the run's train options; exp when absent).
  SimilarityForm similarity_form = SimilarityForm::kExponential;
};

// Builds the architecture the checkpoint names and loads its weights (eval mode). Errors
// name the file (an unknown similarity form among the run's train options too).
TrainedModel load_trained_model(const std::string& path);

}  // namespace wisenet
