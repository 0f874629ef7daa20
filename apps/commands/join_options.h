#pragma once
// The options of the embedding join (wisenet.md section 6, and two additions) that
// `wisenet predict` and wisenet-onnx share.
// Usage:
//   JoinParams join;  add_join_options(sub, &join);  ...  join.apply(options);
#include <CLI/CLI.hpp>

#include "wisenet/infer/predict_options.h"

namespace wisenet {

struct JoinParams {
  int background_seeds = 1;  // per object seed
  bool seed_component = false;
  void apply(PredictOptions& options) const {
    options.background_seeds_per_object = background_seeds;
    options.seed_component = seed_component;
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
}

}  // namespace wisenet
