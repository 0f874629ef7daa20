// COCO evaluation speed: images per second at 512x512, 20 ground-truth objects and 100
// detections per image (random ellipses and rectangles, fixed seed), segm and bbox.
// Arg: threads (wisenet::set_threads sets OpenCV's pool, which runs the IoU step).
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "wisenet/core/threads.h"
#include "wisenet/eval/coco_eval.h"

namespace wisenet {
namespace {

constexpr int kSide = 512;
constexpr int kImages = 16;

Instance random_object(std::mt19937& rng, int category, double score) {
  std::uniform_int_distribution<int> pos(20, kSide - 20), size(6, 60), shape(0, 1);
  cv::Mat m = cv::Mat::zeros(kSide, kSide, CV_8UC1);
  const cv::Point c(pos(rng), pos(rng));
  const int a = size(rng), b = size(rng);
  if (shape(rng) == 0) {
    cv::ellipse(m, c, cv::Size(a, b), 0, 0, 360, cv::Scalar(1), cv::FILLED);
  } else {
    cv::rectangle(m, cv::Rect(c.x - a / 2, c.y - b / 2, a, b), cv::Scalar(1), cv::FILLED);
  }
  Instance in;
  in.category = category;
  in.score = score;
  in.mask = Rle::from_mask(m);
  in.bbox = in.mask.bbox();
  in.area = static_cast<double>(in.mask.area());
  return in;
}

struct Problem {
  CocoDataset gt;
  std::vector<Detection> dt;
};

// Half the detections are jittered copies of ground truths (true positives at various
// IoUs), the rest random (false positives).
const Problem& problem() {
  static const Problem p = [] {
    Problem p;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> score(0, 1);
    p.gt.categories = {{1, "a"}, {2, "b"}};
    for (int i = 1; i <= kImages; ++i) {
      p.gt.images.push_back({i, "im" + std::to_string(i), kSide, kSide});
      for (int g = 0; g < 20; ++g) {
        Annotation a;
        a.image_id = i;
        a.instance = random_object(rng, 1 + g % 2, 1.0);
        a.instance.id = static_cast<int64_t>(p.gt.annotations.size()) + 1;
        p.gt.annotations.push_back(a);
      }
      for (int d = 0; d < 100; ++d) {
        Detection det;
        det.image_id = i;
        if (d < 50) {
          const Instance& g = p.gt.annotations[p.gt.annotations.size() - 20 + d % 20].instance;
          const cv::Mat m = g.mask.to_mask();
          cv::Mat shifted = cv::Mat::zeros(kSide, kSide, CV_8UC1);
          const int dx = static_cast<int>(rng() % 9) - 4, dy = static_cast<int>(rng() % 9) - 4;
          const cv::Mat warp = (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, dy);
          cv::warpAffine(m, shifted, warp, m.size(), cv::INTER_NEAREST);
          det.instance.category = g.category;
          det.instance.score = score(rng);
          det.instance.mask = Rle::from_mask(shifted);
          det.instance.bbox = det.instance.mask.bbox();
          det.instance.area = static_cast<double>(det.instance.mask.area());
        } else {
          det.instance = random_object(rng, 1 + d % 2, score(rng));
        }
        p.dt.push_back(det);
      }
    }
    return p;
  }();
  return p;
}

void run(benchmark::State& state, IouType type) {
  set_threads(static_cast<int>(state.range(0)));
  const Problem& p = problem();
  for (auto _ : state) {
    const CocoEvalResult r = evaluate_coco(p.gt, p.dt, {type, 100});
    benchmark::DoNotOptimize(r.AP);
  }
  state.SetItemsProcessed(state.iterations() * kImages);
  state.counters["AP50"] = evaluate_coco(p.gt, p.dt, {type, 100}).AP50;
}

void BM_EvalSegm(benchmark::State& state) { run(state, IouType::kSegm); }
void BM_EvalBbox(benchmark::State& state) { run(state, IouType::kBbox); }
BENCHMARK(BM_EvalSegm)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EvalBbox)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace wisenet

BENCHMARK_MAIN();
