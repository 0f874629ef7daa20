// wisenet proposals: precompute the mask proposals of a folder or dataset into a cache, or
// report how good they are against a dataset's ground-truth masks.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "commands/command.h"
#include "wisenet/core/progress.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/core/error.h"
#include "wisenet/core/threads.h"
#include "wisenet/data/annotation_rescale.h"
#include "wisenet/data/coco_results.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/image_io.h"
#include "wisenet/proposals/import_proposals.h"
#include "wisenet/proposals/proposal_cache.h"
#include "wisenet/proposals/proposal_quality.h"
#include "wisenet/proposals/selective_search.h"

namespace wisenet::cli {
namespace {

struct ProposalsParams {
  std::string images_dir;
  std::string data;
  std::string image_dir;
  std::string out;
  std::string gt;
  bool report = false;
  std::string cache;
  std::string import;
  std::string oracle_out;
  int limit = 0;
  int threads = 0;
  int max_proposals = ProposalOptions{}.max_proposals;
  double score_threshold = PointProposalOptions{}.score_threshold;
  bool allow_several_points = false;
  bool resize_annotations = false;
};

// The shared progress bar, stepped from several worker threads.
class ProgressSteps {
 public:
  explicit ProgressSteps(size_t total) : total_(total), bar_("proposals", static_cast<int64_t>(total)) {}
  void step() {
    std::lock_guard<std::mutex> lock(mutex_);
    bar_.update(static_cast<int64_t>(++done_));
    if (done_ == total_) bar_.finish();
  }

 private:
  size_t total_;
  size_t done_ = 0;
  ProgressBar bar_;
  std::mutex mutex_;
};

// Runs job(i) for i in [0, count) on `threads` workers; the first error is rethrown.
template <typename Job>
void parallel_over(size_t count, int threads, Job job) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (size_t i; (i = next++) < count;) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  std::vector<std::thread> pool;
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(count)));
  for (int t = 0; t < n; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

std::vector<std::string> image_files(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir, "not a folder");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" ||
                                    ext == ".tif" || ext == ".tiff" || ext == ".bmp")) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(dir, "no image files (png, jpg, tif, bmp) in the folder");
  return files;
}

int worker_count(int threads) {
  return threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
}

void precompute(const ProposalsParams& p, const ProposalOptions& options) {
  std::vector<std::string> paths;
  if (!p.images_dir.empty()) {
    paths = image_files(p.images_dir);
  } else {
    const CocoDataset dataset = read_coco(p.data);
    for (const auto& image : dataset.images) {
      paths.push_back(resolve_image_path(dataset, image, p.image_dir));
    }
  }
  if (p.limit > 0 && paths.size() > static_cast<size_t>(p.limit)) paths.resize(p.limit);
  const ProposalCache cache(p.out, options);
  std::atomic<size_t> computed_count{0};
  ProgressSteps progress(paths.size());
  parallel_over(paths.size(), worker_count(p.threads), [&](size_t i) {
    bool computed = false;
    cache.get(load_image(paths[i]), &computed);
    computed_count += computed;
    progress.step();
  });
  std::cout << "proposals: " << paths.size() << " images, " << computed_count << " computed, "
            << paths.size() - computed_count << " already cached, in " << p.out << "\n";
}

void report(const ProposalsParams& p, const ProposalOptions& options) {
  CocoReadOptions read;
  read.point_rule = PointRule::kCenter;  // objects without a point get the authors' point
  CocoDataset dataset = read_coco(p.gt, read);
  size_t count = dataset.images.size();
  if (p.limit > 0) count = std::min(count, static_cast<size_t>(p.limit));
  std::vector<std::string> paths;
  for (size_t i = 0; i < count; ++i) {
    paths.push_back(resolve_image_path(dataset, dataset.images[i], p.image_dir));
  }
  match_image_sizes(dataset, paths,
                    p.resize_annotations ? SizeMismatch::kRescale : SizeMismatch::kError);
  std::map<int64_t, Proposals> imported;
  if (!p.import.empty()) imported = import_proposals(p.import, dataset);
  std::unique_ptr<ProposalCache> cache;
  if (p.import.empty() && !p.cache.empty()) cache = std::make_unique<ProposalCache>(p.cache, options);
  PointProposalOptions point_options;
  point_options.score_threshold = p.score_threshold;
  point_options.allow_several_points = p.allow_several_points;

  std::vector<std::vector<ObjectQuality>> quality(count);
  std::vector<std::vector<Detection>> oracle(count);
  std::vector<size_t> proposal_counts(count);
  ProgressSteps progress(count);
  parallel_over(count, worker_count(p.threads), [&](size_t i) {
    const Sample sample = load_sample(dataset, i, p.image_dir);
    Proposals proposals;
    if (!p.import.empty()) {
      const auto found = imported.find(sample.image_id);
      if (found != imported.end()) proposals = found->second;
    } else if (cache) {
      proposals = cache->get(sample.image);
    } else {
      proposals = generate_proposals(sample.image, options);
    }
    proposal_counts[i] = proposals.size();
    quality[i] = proposal_quality(sample.image_id, sample.instances, proposals, point_options);
    oracle[i] = oracle_detections(sample.image_id, sample.instances, proposals, point_options);
    progress.step();
  });
  std::vector<ObjectQuality> all;
  std::vector<Detection> detections;
  size_t total_proposals = 0;
  for (size_t i = 0; i < count; ++i) {
    all.insert(all.end(), quality[i].begin(), quality[i].end());
    detections.insert(detections.end(), oracle[i].begin(), oracle[i].end());
    total_proposals += proposal_counts[i];
  }
  const QualitySummary s = summarize_quality(all);
  std::printf("images              %zu\n", count);
  std::printf("objects             %lld\n", static_cast<long long>(s.objects));
  std::printf("proposals/image     %.1f\n", count ? static_cast<double>(total_proposals) / count : 0.0);
  std::printf("mean best IoU       %.4f\n", s.mean_best_iou);
  std::printf("recall@0.5 best     %.4f\n", s.best_recall_50);
  std::printf("recall@0.7 best     %.4f\n", s.best_recall_70);
  std::printf("mean chosen IoU     %.4f\n", s.mean_chosen_iou);
  std::printf("recall@0.5 chosen   %.4f\n", s.chosen_recall_50);
  std::printf("recall@0.7 chosen   %.4f\n", s.chosen_recall_70);
  std::printf("point-pixel fallback %.4f\n", s.fallback_rate);
  // The oracle: the chosen proposal of every ground-truth point, scored by its objectness,
  // evaluated on the images reported (section 4's upper bound of pseudo-mask quality).
  CocoDataset evaluated = dataset;
  evaluated.images.resize(count);
  std::set<int64_t> kept;
  for (const auto& image : evaluated.images) kept.insert(image.id);
  evaluated.annotations.clear();
  for (const auto& a : dataset.annotations) {
    if (kept.count(a.image_id) && a.has_mask) evaluated.annotations.push_back(a);
  }
  const CocoEvalResult oracle_ap = evaluate_coco(evaluated, detections);
  std::printf("oracle AP50         %.4f\n", oracle_ap.AP50);
  std::printf("oracle AP           %.4f\n", oracle_ap.AP);
  if (!p.oracle_out.empty()) {
    write_results(detections, p.oracle_out);
    std::printf("oracle detections   %s\n", p.oracle_out.c_str());
  }
}

}  // namespace

void add_proposals_command(CLI::App& app) {
  auto params = std::make_shared<ProposalsParams>();
  CLI::App* command = app.add_subcommand(
      "proposals",
      "Precompute class-agnostic mask proposals into a cache (--out), or report their quality "
      "against ground-truth masks (--gt --report)");
  command->add_option("--images", params->images_dir, "Folder of images to precompute")
      ->check(CLI::ExistingDirectory);
  command->add_option("--data", params->data, "COCO JSON whose images to precompute")
      ->check(CLI::ExistingFile);
  command->add_option("--image-dir", params->image_dir,
                      "Folder of the dataset's images (default: beside the JSON, or images/)");
  command->add_option("--out", params->out, "Proposal cache folder to fill");
  command->add_option("--gt", params->gt, "COCO JSON with ground-truth masks (for --report)")
      ->check(CLI::ExistingFile);
  command->add_flag("--report", params->report, "Print the proposal quality report");
  command->add_option("--cache", params->cache,
                      "Proposal cache folder to read and fill (default: compute, keep nothing)");
  command->add_option("--import", params->import,
                      "Report on external proposals: a COCO results file (RLE + score)")
      ->check(CLI::ExistingFile);
  command->add_option("--oracle-out", params->oracle_out,
                      "Write the oracle detections (chosen proposal per ground-truth point) as "
                      "COCO results, for `wisenet eval`");
  command->add_option("--limit", params->limit, "Only the first N images (0 = all)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  command->add_option("--max-proposals", params->max_proposals, "Proposals kept per image")
      ->default_val(params->max_proposals)
      ->check(CLI::PositiveNumber);
  command->add_option("--score-threshold", params->score_threshold,
                      "Proposals with objectness above this may become a point's pseudo-mask")
      ->default_val(params->score_threshold);
  command->add_flag("--allow-several-points", params->allow_several_points,
                    "A point's pseudo-mask may hold other points (the original code's rule)");
  command->add_flag("--resize-annotations", params->resize_annotations,
                    "--gt: scale the annotations of an image whose size differs from the JSON's "
                    "to the image (default: an error)");
  add_threads_option(command, &params->threads);
  command->callback([params] {
    const ProposalsParams& p = *params;
    ProposalOptions options;
    options.max_proposals = p.max_proposals;
    // Parallel over images: each image's work stays on one thread.
    set_threads(1);
    if (p.report) {
      if (p.gt.empty()) throw Error("proposals: --report needs --gt DATA.json");
      report(p, options);
      return;
    }
    if (p.out.empty()) throw Error("proposals: give --out CACHE_DIR (or --gt DATA.json --report)");
    if (p.images_dir.empty() == p.data.empty()) {
      throw Error("proposals: give exactly one of --images DIR and --data DATA.json");
    }
    precompute(p, options);
  });
}

}  // namespace wisenet::cli
