// The annotation app under load, from a second process on loopback: a child process runs the
// server (a small random-weight WiseNet; the plumbing and the forward pass are what is timed,
// not the quality of the masks), this process sends the requests.
//   BM_ServeClickMask/S:     one POST /api/masks (one click) at a time on an S x S image.
//   BM_ServeConcurrentMasks: 200 clients at once, one click each, on a 256 x 256 image;
//                            counters: failed requests and latency percentiles (ms).
// The server uses 2 threads for libtorch (the target machine has 2 cores).
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "wisenet/core/threads.h"
#include "wisenet/data/image_io.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/model/checkpoint.h"
#include "wisenet/serve/annotation_server.h"

namespace {

namespace fs = std::filesystem;

// Runs in the child only, so that this process never starts libtorch's thread pool before
// fork (libgomp is not fork-safe).
[[noreturn]] void run_server(const fs::path& dir, int port_pipe) {
  wisenet::set_threads(2);
  torch::manual_seed(1);
  wisenet::WiseNetOptions o;
  o.num_classes = 1;
  o.embedding_dim = 16;
  wisenet::WiseNet net(o);
  wisenet::save_checkpoint((dir / "model.ckpt").string(), *net, nullptr, 0, {"cell"},
                           R"({"category_ids":[1]})");
  fs::create_directories(dir / "images");
  for (const int s : {256, 512}) {
    cv::Mat image(s, s, CV_8UC3);
    cv::RNG(s).fill(image, cv::RNG::UNIFORM, 0, 60);
    for (int k = 0; k < 12; ++k) {
      cv::circle(image, {20 + (k * 37) % (s - 40), 20 + (k * 61) % (s - 40)}, s / 20,
                 cv::Scalar(230, 200, 60), cv::FILLED);
    }
    wisenet::save_png((dir / "images" / ("im" + std::to_string(s) + ".png")).string(), image);
  }
  wisenet::serve::ServeOptions options;
  options.images_dir = (dir / "images").string();
  options.annotations_path = (dir / "annotations.json").string();
  options.web_dir = (dir / "images").string();
  wisenet::serve::AnnotationServer server(wisenet::load_trained_model((dir / "model.ckpt").string()),
                                          options);
  const int port = server.bind("127.0.0.1", 0);
  if (write(port_pipe, &port, sizeof port) != sizeof port) _exit(1);
  close(port_pipe);
  server.run();
  _exit(0);
}

struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  fs::path dir;
  ServerProcess() {
    dir = fs::temp_directory_path() / ("wisenet_serve_bench_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    int fds[2];
    if (pipe(fds) != 0) return;
    pid = fork();
    if (pid == 0) {
      close(fds[0]);
      run_server(dir, fds[1]);
    }
    close(fds[1]);
    if (read(fds[0], &port, sizeof port) != sizeof port) port = 0;
    close(fds[0]);
  }
  ~ServerProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    fs::remove_all(dir);
  }
};

ServerProcess& server() {
  static ServerProcess process;
  return process;
}

std::string click_body(int size, int x, int y) {
  return nlohmann::json{{"image", "im" + std::to_string(size) + ".png"},
                        {"points", {{{"x", x}, {"y", y}, {"category", 1}}}}}
      .dump();
}

void BM_ServeClickMask(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  if (server().port <= 0) {
    state.SkipWithError("the server process did not start");
    return;
  }
  httplib::Client client("127.0.0.1", server().port);
  client.set_read_timeout(120, 0);
  int i = 0;
  for (auto _ : state) {
    const auto r = client.Post("/api/masks", click_body(size, 10 + (i * 7) % (size - 20), size / 2),
                               "application/json");
    ++i;
    if (!r || r->status != 200) {
      state.SkipWithError("a mask request failed");
      return;
    }
  }
  state.counters["pixels"] = size * size;
}
BENCHMARK(BM_ServeClickMask)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ServeConcurrentMasks(benchmark::State& state) {
  constexpr int kClients = 200;
  constexpr int kSize = 256;
  if (server().port <= 0) {
    state.SkipWithError("the server process did not start");
    return;
  }
  std::vector<double> latency_ms(kClients, -1.0);
  for (auto _ : state) {
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        httplib::Client client("127.0.0.1", server().port);
        client.set_connection_timeout(60, 0);
        client.set_read_timeout(300, 0);
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = client.Post("/api/masks", click_body(kSize, 10 + c % 230, 10 + (c * 13) % 230),
                                   "application/json");
        const auto t1 = std::chrono::steady_clock::now();
        if (r && r->status == 200) {
          latency_ms[c] = std::chrono::duration<double, std::milli>(t1 - t0).count();
        }
      });
    }
    for (auto& t : clients) t.join();
  }
  std::vector<double> ok;
  for (const double l : latency_ms) {
    if (l >= 0) ok.push_back(l);
  }
  std::sort(ok.begin(), ok.end());
  const auto pct = [&](double p) {
    return ok.empty() ? 0.0 : ok[std::min(ok.size() - 1, static_cast<size_t>(p * ok.size()))];
  };
  state.counters["failed"] = static_cast<double>(kClients - ok.size());
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p90_ms"] = pct(0.90);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["max_ms"] = ok.empty() ? 0.0 : ok.back();
}
BENCHMARK(BM_ServeConcurrentMasks)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
