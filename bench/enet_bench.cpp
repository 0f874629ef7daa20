// The embedding half, side by side with the networks it serves (2 threads, small backbone):
// - pair sampling + similarity loss (forward + backward) against E-Net forward + backward;
// - prediction (both networks, blobs, background seeds, every pixel to its most similar seed,
//   masks) against the two networks' forward alone. Target: prediction <= 1.25x forward.
//   Prediction runs the E-Net up to its head's stride-8 grid; NetworksForward/to_grid times that.
// At 256x256 and 512x512, with 20 objects (discs of radius size/30, one point each).
//   build/bench/enet_bench   (scripts/bench.sh build enet)
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "wisenet/data/class_map.h"
#include "wisenet/infer/localizer.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/loss/similarity_loss.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/wisenet_model.h"

namespace {

constexpr int kObjects = 20;

struct Scene {
  cv::Mat rgb;
  std::vector<wisenet::Point> points;
  std::vector<wisenet::Rle> masks;  // one disc per point
  wisenet::Rle background;
  std::vector<cv::Mat> probabilities;  // background + one class: a bump per object
};

Scene make_scene(int size) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> where(size / 10, size - size / 10 - 1);
  Scene s;
  s.rgb = cv::Mat(size, size, CV_8UC3, cv::Scalar(90, 100, 110));
  cv::Mat all(size, size, CV_8U, cv::Scalar(0));
  cv::Mat fg(size, size, CV_32F, cv::Scalar(0.05f));
  const int radius = size / 30;
  for (int i = 0; i < kObjects; ++i) {
    const cv::Point c(where(rng), where(rng));
    cv::Mat m(size, size, CV_8U, cv::Scalar(0));
    cv::circle(m, c, radius, cv::Scalar(1), cv::FILLED);
    cv::circle(all, c, radius, cv::Scalar(1), cv::FILLED);
    cv::circle(s.rgb, c, radius, cv::Scalar(200, 60 + 7 * i, 40), cv::FILLED);
    cv::circle(fg, c, radius, cv::Scalar(0.95f), cv::FILLED);
    s.points.push_back({c.x, c.y, 1});
    s.masks.push_back(wisenet::Rle::from_mask(m));
  }
  s.background = wisenet::Rle::from_mask(all == 0);
  cv::GaussianBlur(fg, fg, {0, 0}, radius / 2.0);
  s.probabilities = {1.0f - fg, fg};
  return s;
}

wisenet::WiseNet small_model() {
  torch::manual_seed(0);
  wisenet::WiseNetOptions options;
  options.num_classes = 1;
  return wisenet::WiseNet(options);
}

void BM_SimilarityLoss(benchmark::State& state) {
  torch::set_num_threads(2);
  const int size = static_cast<int>(state.range(0));
  const Scene scene = make_scene(size);
  torch::manual_seed(1);
  const at::Tensor base = torch::randn({64, size, size});
  uint64_t seed = 0;
  for (auto _ : state) {
    at::Tensor e = base.clone().requires_grad_(true);
    const auto r = wisenet::similarity_loss(e, scene.points, scene.masks, scene.background,
                                            wisenet::SimilarityOptions{}, ++seed);
    r.total.backward();
    benchmark::DoNotOptimize(e.grad().data_ptr<float>());
  }
}
BENCHMARK(BM_SimilarityLoss)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EnetForwardBackward(benchmark::State& state) {
  torch::set_num_threads(2);
  wisenet::WiseNet net = small_model();
  net->train();
  const int size = static_cast<int>(state.range(0));
  const at::Tensor x = wisenet::image_to_tensor(make_scene(size).rgb);
  for (auto _ : state) {
    net->zero_grad();
    net->embed(x).sum().backward();
  }
}
BENCHMARK(BM_EnetForwardBackward)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

// Both networks' forward; to_grid: as prediction runs them, L-Net and the E-Net up to its
// head's stride-8 grid (the join upsamples it implicitly, infer/nearest_seed_cv.h).
void BM_NetworksForward(benchmark::State& state, bool to_grid) {
  torch::set_num_threads(2);
  wisenet::WiseNet net = small_model();
  net->eval();
  const int size = static_cast<int>(state.range(0));
  const at::Tensor x = wisenet::image_to_tensor(make_scene(size).rgb);
  for (auto _ : state) {
    torch::NoGradGuard no_grad;
    const at::Tensor logits = net->localize(x);
    const at::Tensor embeddings = to_grid ? net->embedding_grid(x) : net->embed(x);
    benchmark::DoNotOptimize(logits.data_ptr<float>());
    benchmark::DoNotOptimize(embeddings.data_ptr<float>());
  }
}
BENCHMARK_CAPTURE(BM_NetworksForward, full, false)
    ->Arg(256)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_NetworksForward, to_grid, true)
    ->Arg(256)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Everything predict_instances does, except that the blobs come from the scene's probability
// maps (a random L-Net finds no meaningful objects): both forwards (E-Net up to its head's
// stride-8 grid, as predict_instances runs it), blobs and seeds, background seeds, the
// nearest-seed assignment on the grid and the masks (embedding mode).
void predict_loop(benchmark::State& state, const wisenet::PredictOptions& options) {
  torch::set_num_threads(2);
  wisenet::WiseNet net = small_model();
  net->eval();
  const int size = static_cast<int>(state.range(0));
  const Scene scene = make_scene(size);
  const at::Tensor x = wisenet::image_to_tensor(scene.rgb);
  wisenet::ClassMap classes;
  classes.category_ids = {1};
  classes.names = {"object"};
  size_t instances = 0;
  for (auto _ : state) {
    torch::NoGradGuard no_grad;
    const at::Tensor logits = net->localize(x);
    benchmark::DoNotOptimize(logits.data_ptr<float>());
    const at::Tensor embeddings = net->embedding_grid(x)[0];
    std::vector<cv::Mat> probabilities;
    for (const cv::Mat& p : scene.probabilities) probabilities.push_back(p.clone());
    const wisenet::Localization located =
        wisenet::localize_from_probabilities(std::move(probabilities));
    instances =
        wisenet::instances_from_localization(located, embeddings, classes, nullptr, options)
            .size();
  }
  state.counters["instances"] = static_cast<double>(instances);
}

void BM_Predict(benchmark::State& state) { predict_loop(state, {}); }
BENCHMARK(BM_Predict)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same with the demo's join options: the split of object pixels by position (a second
// join, object seeds only, on the grid with two position channels) and the similarity floor
// (each object pixel's embedding against its seed's).
void BM_PredictSplitAndFloor(benchmark::State& state) {
  wisenet::PredictOptions options;
  options.spatial_weight = 0.5;
  options.min_similarity = 0.5;
  predict_loop(state, options);
}
BENCHMARK(BM_PredictSplitAndFloor)
    ->Arg(256)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
