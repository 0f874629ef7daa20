#pragma once
// The options of the embedding join (wisenet.md section 6, and five additions) that
// `wisenet predict` and wisenet-onnx share.
// Usage:
//   JoinParams join;  add_join_options(sub, &join);  ...  join.apply(options);
#include <CLI/CLI.hpp>

#include <cmath>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/infer/predict_options.h"

namespace wisenet {

struct JoinParams {
  int background_seeds = 1;  // per object seed
  bool seed_component = false;
  bool agreement_score = false;
  double spatial_weight = 0;
  double min_similarity = 0;
  void apply(PredictOptions& options) const {
    options.min_similarity = min_similarity;
    options.spatial_weight = spatial_weight;
    options.background_seeds_per_object = background_seeds;
    options.seed_component = seed_component;
    options.agreement_score = agreement_score;
  }
  // The combinations of --mode, --proposals and these options that cannot run, as
  // command-line errors.
  void check(const std::string& mode, bool have_proposals) const {
    if (!std::isfinite(spatial_weight) || spatial_weight < 0) {
      throw Error("--spatial-weight must be a finite number >= 0, got " +
                  std::to_string(spatial_weight));
    }
    if (!(min_similarity >= 0 && min_similarity < 1)) {
      throw Error("--min-similarity must lie in [0, 1), got " + std::to_string(min_similarity));
    }
    if (mode != "embedding" && !have_proposals) {
      throw Error("--mode " + mode + " needs --proposals CACHE_DIR");
    }
    if (!agreement_score) return;
    if (mode != "embedding") {
      throw Error("--agreement-score applies to --mode embedding only (the best-* modes score "
                  "by their proposal), not --mode " + mode);
    }
    if (!have_proposals) throw Error("--agreement-score needs --proposals CACHE_DIR");
  }
};

inline void add_join_options(CLI::App* sub, JoinParams* join) {
  sub->add_option("--background-seeds", join->background_seeds,
                  "background seeds per object seed (section 6: 1); 2-4 keep embedding-mode "
                  "masks out of varied backgrounds")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub->add_flag("--seed-component", join->seed_component,
                "keep of each object's joined pixels only the 8-connected part holding its "
                "seed (section 6 keeps them all)");
  sub->add_flag("--agreement-score", join->agreement_score,
                "embedding mode: score = S_c x the highest Dice between the mask and a "
                "candidate proposal of its seed (0 with none; section 6: S_c), so that masks "
                "no proposal supports rank last; needs --proposals");
  sub->add_option("--spatial-weight", join->spatial_weight,
                  "split the pixels that join object seeds among them by least |e(p) - e(s)|^2 "
                  "+ W |p - s|^2 (image pixels; section 6: 0), so that touching objects that "
                  "look alike are split between their seeds; 0.1 to 2 work alike on the "
                  "synthetic data")
      ->capture_default_str();
  sub->add_option("--min-similarity", join->min_similarity,
                  "a pixel joins its object seed only when their similarity S exceeds this, "
                  "else the background (0: off, section 6; 0.5: S says \"same object\" more "
                  "than \"different\")")
      ->capture_default_str();
}

}  // namespace wisenet
