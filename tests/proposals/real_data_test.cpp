// Proposal quality on the real nuclei data (shared/data/dsb2018/val.json). The DISABLED test is
// the measurement used to choose the objectness weights and defaults; run it with
//   test_proposals --gtest_also_run_disabled_tests --gtest_filter='*RealData*'
// (WISENET_PROPOSAL_IMAGES sets how many images, default 30).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "test_env.h"
#include "wisenet/data/dataset.h"
#include "wisenet/proposals/proposal_quality.h"
#include "wisenet/proposals/selective_search.h"

namespace wisenet {
namespace {

struct Weights {
  const char* name;
  double color, edge, compact, stable;
};

// Overrides of the base options for exploring, "k=25,50;color=rgb,lab;min_segment=10;cap=800;
// sigma=0.5;strategies=ctsf,tsf;min_area=5", from $WISENET_PROPOSAL_OPTIONS.
ProposalOptions base_options() {
  ProposalOptions options;
  const char* text = std::getenv("WISENET_PROPOSAL_OPTIONS");
  if (!text) return options;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ';')) {
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    std::vector<std::string> list;
    std::stringstream parts(value);
    for (std::string part; std::getline(parts, part, ',');) list.push_back(part);
    if (key == "k") {
      options.k_values.clear();
      for (const auto& v : list) options.k_values.push_back(std::stoi(v));
    } else if (key == "color") {
      options.color_spaces = list;
    } else if (key == "strategies") {
      options.strategies = list;
    } else if (key == "min_segment") {
      options.min_segment_size = std::stoi(value);
    } else if (key == "min_area") {
      options.min_area = std::stoi(value);
    } else if (key == "cap") {
      options.max_proposals = std::stoi(value);
    } else if (key == "sigma") {
      options.sigma = std::stod(value);
    } else if (key == "ring") {
      options.ring_width = std::stoi(value);
    }
  }
  return options;
}

std::string val_json() { return (test::data_dir() / "dsb2018" / "val.json").string(); }

TEST(RealData, DISABLED_MeasureObjectnessOnNuclei) {
  if (!std::filesystem::exists(val_json())) GTEST_SKIP() << "no " << val_json();
  const char* env = std::getenv("WISENET_PROPOSAL_IMAGES");
  const size_t limit = env ? std::strtoul(env, nullptr, 10) : 30;
  CocoReadOptions read;
  const CocoDataset dataset = read_coco(val_json(), read);
  const ProposalOptions base = base_options();
  std::printf("options: %s\n", base.to_text().c_str());
  const Weights variants[] = {
      {"default", base.weight_color_contrast, base.weight_edge_contrast, base.weight_compactness,
       base.weight_stability},
      {"color", 1, 0, 0, 0},         {"edge", 0, 1, 0, 0},          {"compact", 0, 0, 1, 0},
      {"stable", 0, 0, 0, 1},        {"color+edge", 1, 1, 0, 0},    {"c+e+k", 1, 1, 1, 0},
      {"c+e+s", 1, 1, 0, 1},         {"c+e+.5k+.5s", 1, 1, .5, .5}, {"all equal", 1, 1, 1, 1},
      {"2c+e+.5k+.5s", 2, 1, .5, .5}, {"c+2e+.5k+.5s", 1, 2, .5, .5},
  };
  const size_t n_variants = sizeof variants / sizeof variants[0];
  std::vector<std::vector<ObjectQuality>> quality(n_variants);
  std::vector<double> kept_counts(n_variants, 0);
  double seconds = 0;
  size_t images = 0;
  for (size_t i = 0; i < dataset.images.size() && images < limit; ++i, ++images) {
    const Sample sample = load_sample(dataset, i, "");
    const auto start = std::chrono::steady_clock::now();
    std::vector<Candidate> candidates = generate_candidates(sample.image, base);
    add_stability(&candidates, hierarchy_count(base), base.dedup_iou);
    const Proposals timed = select_proposals(candidates, base);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (size_t v = 0; v < n_variants; ++v) {
      ProposalOptions options = base;
      options.weight_color_contrast = variants[v].color;
      options.weight_edge_contrast = variants[v].edge;
      options.weight_compactness = variants[v].compact;
      options.weight_stability = variants[v].stable;
      const Proposals proposals = select_proposals(candidates, options);
      int kept = 0;
      for (const auto& p : proposals) kept += p.score > 0.5;
      kept_counts[v] += kept;
      const auto q = proposal_quality(sample.image_id, sample.instances, proposals);
      quality[v].insert(quality[v].end(), q.begin(), q.end());
    }
    std::fprintf(stderr, "image %zu (%dx%d): %zu candidates, %zu proposals\n", i,
                 sample.image.cols, sample.image.rows, candidates.size(), timed.size());
  }
  std::printf("%zu images, %.3f s/image (generate_proposals, one thread)\n", images,
              seconds / images);
  std::printf("%-14s %6s %6s %6s %6s %6s %6s %6s %6s %7s\n", "weights", "mbest", "mchos",
              "b@.5", "b@.7", "c@.5", "c@.7", "fallb", "objs", "kept/im");
  for (size_t v = 0; v < n_variants; ++v) {
    const QualitySummary s = summarize_quality(quality[v]);
    std::printf("%-14s %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6lld %7.1f\n", variants[v].name,
                s.mean_best_iou, s.mean_chosen_iou, s.best_recall_50, s.best_recall_70,
                s.chosen_recall_50, s.chosen_recall_70, s.fallback_rate,
                static_cast<long long>(s.objects), kept_counts[v] / images);
  }
}

}  // namespace
}  // namespace wisenet
