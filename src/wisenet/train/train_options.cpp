#include "wisenet/train/train_options.h"

#include "wisenet/core/error.h"

namespace wisenet {

using nlohmann::json;

const char* stage_name(TrainStage stage) {
  switch (stage) {
    case TrainStage::kLocalization:
      return "loc";
    case TrainStage::kEmbedding:
      return "emb";
    case TrainStage::kBoth:
      break;
  }
  return "both";
}

TrainStage stage_from_name(const std::string& name) {
  if (name == "loc") return TrainStage::kLocalization;
  if (name == "emb") return TrainStage::kEmbedding;
  if (name == "both") return TrainStage::kBoth;
  throw Error("stage must be \"loc\", \"emb\" or \"both\", got \"" + name + "\"");
}

const std::vector<TrainOptionDoc>& train_option_docs() {
  static const std::vector<TrainOptionDoc> docs = {
      {"stage",
       "both (loc, then emb from loc's best.ckpt, into RUN_DIR/loc and RUN_DIR/emb; each stage "
       "gets the whole budget), loc (L-Net, LCFCN loss) or emb (E-Net, similarity loss)"},
      {"train", "training set: COCO JSON with point labels (and maybe masks)"},
      {"points_csv", "extra point labels for the training images (CSV image,x,y,class)"},
      {"images", "folder of the training images (default: the JSON's folder or its images/)"},
      {"val", "validation set: COCO JSON (points or masks)"},
      {"val_images", "folder of the validation images"},
      {"resize_annotations",
       "scale the annotations of an image whose size differs from the JSON's to the image "
       "(default: an error)"},
      {"out", "run folder: checkpoints, log.csv, curves.png"},
      {"init", "start from this checkpoint's weights (e.g. a loc run's best.ckpt)"},
      {"supervision",
       "points (WISE-Net) | full (true masks: cross-entropy for L-Net, masks as E-Net "
       "pseudo-masks, no proposals) | mixed (masks on images whose every object has one, "
       "points elsewhere)"},
      {"backbone", "small | resnet18 | resnet34 | resnet50"},
      {"backbone_weights", "torchvision ImageNet state dict (.pth) for a ResNet backbone"},
      {"embedding_dim", "E-Net embedding size D"},
      {"shared_backbone", "one backbone for both branches"},
      {"bn_mode", "auto | frozen | trainable (auto: frozen with pretrained weights)"},
      {"lnet_input_scale",
       "L-Net runs on the image upsampled by this factor (1..4); maps stay image-sized, so 2 "
       "halves the output stride: for small or touching objects"},
      {"enet_input_scale", "the same for the E-Net"},
      {"local_split_weight", "n-1 (default) or n+1: weight of a blob's local split term"},
      {"global_split", "global split term on the whole image"},
      {"background_term", "extra BCE(mean background probability, 1) term"},
      {"similarity", "exp (exp(-|a-b|^2/D), default) or sigmoid (2/(1+exp(|a-b|^2)))"},
      {"proposals", "proposal cache folder for the emb stage (default: RUN_DIR/proposals)"},
      {"proposal_score_threshold", "proposals scoring above this may become pseudo-masks"},
      {"allow_several_points", "a pseudo-mask may contain other points (the original code)"},
      {"pixels_per_point", "similarity loss: pseudo-mask pixels drawn per point (section 5: 100)"},
      {"background_pixels", "similarity loss: background pixels drawn per image (section 5: 100)"},
      {"refine_false_negatives",
       "similarity loss, beyond section 5: also draw pseudo-mask pixels whose most similar seed "
       "is not their point; pull them to it, push them from the anchors and other points"},
      {"enet_from_lnet",
       "stage emb with --init: start the E-Net's backbone as a copy of the trained L-Net's "
       "(beyond the paper, whose two backbones both start from ImageNet)"},
      {"lr", "Adam learning rate"},
      {"weight_decay", "Adam weight decay"},
      {"lr_schedule", "constant | cosine (decay to 0 over max_steps or max_minutes)"},
      {"epochs", "passes over the training set"},
      {"max_steps", "stop after this many optimiser steps (0 = no limit)"},
      {"max_minutes", "stop after this many minutes of training (0 = no limit)"},
      {"batch_size", "images per optimiser step"},
      {"hflip", "random horizontal flips"},
      {"scale_jitter", "random rescale by a factor in [1-j, 1+j] (0 = off)"},
      {"seed", "seed for weights, data order and augmentation"},
      {"threads", "threads for libtorch and OpenCV (0 = all cores)"},
      {"val_every", "validate every N steps (0 = after each epoch)"},
      {"val_limit", "validate on the first N validation images (0 = all)"},
      {"progress", "progress bar on stderr"},
      {"device", "cpu | cuda (cuda needs a libtorch built with CUDA; Debian's is CPU-only)"},
  };
  return docs;
}

void TrainOptions::validate() const {
  if (train_json.empty()) throw Error("train: no training set given (--train DATA.json)");
  if (out_dir.empty()) throw Error("train: no run folder given (--out RUN_DIR)");
  if (!(lr > 0)) throw Error("train: lr must be > 0");
  if (weight_decay < 0) throw Error("train: weight_decay must be >= 0");
  if (device != "cpu" && device != "cuda") {
    throw Error("train: device must be cpu or cuda, got \"" + device + "\"");
  }
  if (lr_schedule != "constant" && lr_schedule != "cosine") {
    throw Error("train: lr_schedule must be constant or cosine, got \"" + lr_schedule + "\"");
  }
  if (epochs < 1 && max_steps < 1) throw Error("train: epochs must be >= 1");
  if (max_steps < 0) throw Error("train: max_steps must be >= 0");
  if (batch_size < 1) throw Error("train: batch_size must be >= 1");
  if (scale_jitter < 0 || scale_jitter >= 1) throw Error("train: scale_jitter must be in [0, 1)");
  if (val_every < 0) throw Error("train: val_every must be >= 0");
  if (max_minutes < 0) throw Error("train: max_minutes must be >= 0");
  if (similarity.pixels_per_point < 1) throw Error("train: pixels_per_point must be >= 1");
  if (similarity.background_pixels < 1) throw Error("train: background_pixels must be >= 1");
  if (enet_from_lnet && stage != TrainStage::kBoth &&
      (stage != TrainStage::kEmbedding || init.empty())) {
    throw Error("train: enet_from_lnet needs stage both, or stage emb with an --init checkpoint "
                "holding a trained L-Net");
  }
  if (enet_from_lnet && model.shared_backbone) {
    throw Error("train: enet_from_lnet needs separate backbones (not shared_backbone)");
  }
}

json train_options_to_json(const TrainOptions& o) {
  const json model = options_to_json(o.model);
  return {
      {"stage", stage_name(o.stage)},
      {"train", o.train_json},
      {"points_csv", o.points_csv},
      {"images", o.image_dir},
      {"val", o.val_json},
      {"val_images", o.val_image_dir},
      {"resize_annotations", o.resize_annotations},
      {"out", o.out_dir},
      {"init", o.init},
      {"supervision", supervision_name(o.supervision)},
      {"backbone", model["backbone"]},
      {"backbone_weights", model["backbone_weights"]},
      {"embedding_dim", model["embedding_dim"]},
      {"shared_backbone", model["shared_backbone"]},
      {"bn_mode", model["bn_mode"]},
      {"lnet_input_scale", model["lnet_input_scale"]},
      {"enet_input_scale", model["enet_input_scale"]},
      {"local_split_weight",
       o.lcfcn.local_split_weight == LocalSplitWeight::kPointsMinusOne ? "n-1" : "n+1"},
      {"global_split", o.lcfcn.global_split},
      {"background_term", o.lcfcn.background_term},
      {"similarity", to_string(o.similarity.form)},
      {"proposals", o.proposals_dir},
      {"proposal_score_threshold", o.proposal_score_threshold},
      {"allow_several_points", o.allow_several_points},
      {"pixels_per_point", o.similarity.pixels_per_point},
      {"background_pixels", o.similarity.background_pixels},
      {"refine_false_negatives", o.similarity.refine_false_negatives},
      {"enet_from_lnet", o.enet_from_lnet},
      {"lr", o.lr},
      {"weight_decay", o.weight_decay},
      {"lr_schedule", o.lr_schedule},
      {"epochs", o.epochs},
      {"max_steps", o.max_steps},
      {"max_minutes", o.max_minutes},
      {"batch_size", o.batch_size},
      {"hflip", o.hflip},
      {"scale_jitter", o.scale_jitter},
      {"seed", o.seed},
      {"threads", o.threads},
      {"val_every", o.val_every},
      {"val_limit", o.val_limit},
      {"progress", o.progress},
      {"device", o.device},
  };
}

namespace {

template <typename T>
T get(const json& value, const std::string& source, const std::string& key) {
  try {
    return value.get<T>();
  } catch (const json::exception&) {
    throw Error(source, "option \"" + key + "\" has the wrong type: " + value.dump());
  }
}

}  // namespace

void merge_train_options(const json& j, const std::string& source, TrainOptions& o) {
  if (!j.is_object()) throw Error(source, "training options must be a JSON object");
  json model = options_to_json(o.model);
  for (const auto& [key, value] : j.items()) {
    if (key == "stage") {
      try {
        o.stage = stage_from_name(get<std::string>(value, source, key));
      } catch (const Error& e) {
        throw Error(source, e.what());
      }
    } else if (key == "train") {
      o.train_json = get<std::string>(value, source, key);
    } else if (key == "points_csv") {
      o.points_csv = get<std::string>(value, source, key);
    } else if (key == "images") {
      o.image_dir = get<std::string>(value, source, key);
    } else if (key == "val") {
      o.val_json = get<std::string>(value, source, key);
    } else if (key == "val_images") {
      o.val_image_dir = get<std::string>(value, source, key);
    } else if (key == "resize_annotations") {
      o.resize_annotations = get<bool>(value, source, key);
    } else if (key == "out") {
      o.out_dir = get<std::string>(value, source, key);
    } else if (key == "init") {
      o.init = get<std::string>(value, source, key);
    } else if (key == "supervision") {
      try {
        o.supervision = supervision_from_name(get<std::string>(value, source, key));
      } catch (const Error& e) {
        throw Error(source, e.what());
      }
    } else if (key == "backbone" || key == "backbone_weights" || key == "embedding_dim" ||
               key == "shared_backbone" || key == "bn_mode" || key == "lnet_input_scale" ||
               key == "enet_input_scale") {
      model[key] = value;
    } else if (key == "local_split_weight") {
      const std::string w = get<std::string>(value, source, key);
      if (w == "n-1") {
        o.lcfcn.local_split_weight = LocalSplitWeight::kPointsMinusOne;
      } else if (w == "n+1") {
        o.lcfcn.local_split_weight = LocalSplitWeight::kPointsPlusOne;
      } else {
        throw Error(source, "local_split_weight must be \"n-1\" or \"n+1\", got \"" + w + "\"");
      }
    } else if (key == "global_split") {
      o.lcfcn.global_split = get<bool>(value, source, key);
    } else if (key == "background_term") {
      o.lcfcn.background_term = get<bool>(value, source, key);
    } else if (key == "similarity") {
      try {
        o.similarity.form = parse_similarity_form(get<std::string>(value, source, key));
      } catch (const Error& e) {
        const std::string what = e.what();
        if (what.rfind(source, 0) == 0) throw;  // get's error already names the source
        throw Error(source, what);
      }
    } else if (key == "proposals") {
      o.proposals_dir = get<std::string>(value, source, key);
    } else if (key == "proposal_score_threshold") {
      o.proposal_score_threshold = get<double>(value, source, key);
    } else if (key == "allow_several_points") {
      o.allow_several_points = get<bool>(value, source, key);
    } else if (key == "pixels_per_point") {
      o.similarity.pixels_per_point = get<int>(value, source, key);
    } else if (key == "background_pixels") {
      o.similarity.background_pixels = get<int>(value, source, key);
    } else if (key == "enet_from_lnet") {
      o.enet_from_lnet = get<bool>(value, source, key);
    } else if (key == "refine_false_negatives") {
      o.similarity.refine_false_negatives = get<bool>(value, source, key);
    } else if (key == "lr") {
      o.lr = get<double>(value, source, key);
    } else if (key == "weight_decay") {
      o.weight_decay = get<double>(value, source, key);
    } else if (key == "lr_schedule") {
      o.lr_schedule = get<std::string>(value, source, key);
    } else if (key == "epochs") {
      o.epochs = get<int64_t>(value, source, key);
    } else if (key == "max_steps") {
      o.max_steps = get<int64_t>(value, source, key);
    } else if (key == "max_minutes") {
      o.max_minutes = get<double>(value, source, key);
    } else if (key == "batch_size") {
      o.batch_size = get<int64_t>(value, source, key);
    } else if (key == "hflip") {
      o.hflip = get<bool>(value, source, key);
    } else if (key == "scale_jitter") {
      o.scale_jitter = get<double>(value, source, key);
    } else if (key == "seed") {
      o.seed = get<uint64_t>(value, source, key);
    } else if (key == "threads") {
      o.threads = get<int>(value, source, key);
    } else if (key == "val_every") {
      o.val_every = get<int64_t>(value, source, key);
    } else if (key == "val_limit") {
      o.val_limit = get<int64_t>(value, source, key);
    } else if (key == "progress") {
      o.progress = get<bool>(value, source, key);
    } else if (key == "device") {
      o.device = get<std::string>(value, source, key);
    } else {
      throw Error(source, "unknown training option \"" + key + "\"");
    }
  }
  try {
    const int64_t classes = o.model.num_classes;
    o.model = options_from_json(model);
    o.model.num_classes = classes;
  } catch (const Error& e) {
    throw Error(source, e.what());
  }
}

}  // namespace wisenet
