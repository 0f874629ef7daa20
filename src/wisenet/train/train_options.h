#pragma once
// Everything a training run needs, with the method's defaults, and its JSON form (the config
// file the command line reads; command-line values override it).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wisenet/loss/lcfcn_loss.h"
#include "wisenet/loss/similarity_loss.h"
#include "wisenet/model/wisenet_model.h"
#include "wisenet/train/supervision.h"

namespace wisenet {

// kBoth: loc, then emb from loc's result (train/both_stages.h; `wisenet train`'s default).
// train() runs one stage and refuses kBoth.
enum class TrainStage { kLocalization, kEmbedding, kBoth };

struct TrainOptions {
  TrainStage stage = TrainStage::kLocalization;
  std::string train_json;   // COCO JSON with points (and maybe masks)
  std::string points_csv;   // optional extra point labels for train_json's images
  std::string image_dir;    // where train_json's images are ("" = the path rule)
  std::string val_json;     // optional validation set (COCO JSON with points or masks)
  std::string val_image_dir;
  bool resize_annotations = false;  // images of another size than the JSON's: rescale the
                                    // annotations (else an error); data/annotation_rescale.h
  std::string out_dir;      // RUN_DIR: checkpoints, log.csv, curves.png
  // What the images teach: points (WISE-Net), full (true masks) or mixed (masks where an image
  // has them); see supervision.h.
  Supervision supervision = Supervision::kPoints;
  std::string init;         // optional checkpoint to start from (e.g. the loc stage's best)
  // Stage emb with `init` (or stage both): E-Net's backbone starts as a copy of the trained
  // L-Net's.
  bool enet_from_lnet = false;

  WiseNetOptions model;
  LcfcnOptions lcfcn;
  SimilarityOptions similarity;

  // E-Net stage: proposals and the pseudo-mask of each point.
  std::string proposals_dir;              // proposal cache ("" = RUN_DIR/proposals)
  double proposal_score_threshold = 0.5;  // proposals kept for pseudo-masks
  bool allow_several_points = false;      // a pseudo-mask may hold other points (original code)

  double lr = 1e-3;             // paper: 1e-5 with pretrained ResNet-50; from scratch larger
  double weight_decay = 5e-4;   // paper
  std::string lr_schedule = "cosine";  // constant (paper) | cosine (decays to 0 over the run)
  int64_t epochs = 10;
  int64_t max_steps = 0;        // > 0: stop after this many optimiser steps (a step budget)
  double max_minutes = 0;       // > 0: stop (and save) after this much wall-clock time
  int64_t batch_size = 1;       // paper: 1
  bool hflip = false;           // random horizontal flip
  double scale_jitter = 0;      // > 0: random rescale by a factor in [1 - j, 1 + j]
  uint64_t seed = 0;
  int threads = 0;              // 0 = all cores
  int64_t val_every = 0;        // validate every N steps (0 = at the end of each epoch)
  int64_t val_limit = 0;        // > 0: validate on the first N validation images only
  bool progress = true;         // progress bar on stderr
  std::string device = "cpu";   // cpu | cuda (only where the libtorch in use has CUDA)

  // Throws wisenet::Error naming the first invalid field.
  void validate() const;
};

nlohmann::json train_options_to_json(const TrainOptions& options);
// Fields absent from `json` keep the values already in `options` (so a config file can be
// layered under command-line values). Unknown keys and wrong types are errors naming `source`.
void merge_train_options(const nlohmann::json& json, const std::string& source,
                         TrainOptions& options);

const char* stage_name(TrainStage stage);
TrainStage stage_from_name(const std::string& name);

}  // namespace wisenet

namespace wisenet {

// One documented field of the flat JSON form, for --help and config files.
struct TrainOptionDoc {
  const char* key;          // JSON key; the command-line flag is --key with '_' -> '-'
  const char* description;
};
const std::vector<TrainOptionDoc>& train_option_docs();

}  // namespace wisenet
