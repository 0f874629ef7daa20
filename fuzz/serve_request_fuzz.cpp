// Fuzz target: the annotation server's request handlers, in-process
// (AnnotationServer::handle_local): routing, query and body parsing, the checks of image names,
// points, categories and masks, the instance store and the annotations file it writes, with a
// tiny real model (small backbone, random weights, two classes) on two small images.
//
// Input: up to 6 requests separated by a line "~~~"; each is "METHOD TARGET\nBODY", e.g.
//   POST /api/instances
//   {"image": "a.png", "category": 1, "point": [3, 4]}
// A fresh server and annotations file per input keeps every run reproducible. Answers with a
// status below 500 are the handlers' business. Findings: a crash or sanitizer report, a 500
// (an exception the handlers do not expect), or an annotations file that cannot be read back
// (the app could not reopen the user's work).
#include <torch/torch.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "wisenet/core/error.h"
#include "wisenet/data/coco_json.h"
#include "wisenet/data/image_io.h"
#include "wisenet/serve/annotation_server.h"

namespace {

namespace fs = std::filesystem;

struct Project {
  fs::path dir;
  wisenet::TrainedModel model;
  wisenet::serve::ServeOptions options;
};

void remove_project(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

const Project& project() {
  static const Project p = [] {
    torch::set_num_threads(1);
    cv::setNumThreads(1);
    torch::manual_seed(1);
    Project out;
    out.dir = fs::path("/dev/shm") / ("wisenet_fuzz_serve_" + std::to_string(getpid()));
    remove_project(out.dir);
    fs::create_directories(out.dir / "images");
    fs::create_directories(out.dir / "web");
    for (const char* name : {"index.html", "app.js", "style.css"}) {
      std::ofstream(out.dir / "web" / name) << "x";
    }
    // Two images with bright discs: something for the model's blobs and masks.
    for (const auto& [name, size] : {std::pair<std::string, cv::Size>{"a.png", {24, 20}},
                                     std::pair<std::string, cv::Size>{"b.png", {16, 16}}}) {
      cv::Mat image(size, CV_8UC3, cv::Scalar(20, 30, 40));
      cv::circle(image, {size.width / 3, size.height / 2}, 4, cv::Scalar(230, 200, 60), -1);
      wisenet::save_png((out.dir / "images" / name).string(), image);
    }
    wisenet::WiseNetOptions options;
    options.num_classes = 2;
    options.embedding_dim = 4;
    out.model.model = wisenet::WiseNet(options, /*load_backbone_weights=*/false);
    out.model.model->eval();
    out.model.classes.category_ids = {1, 2};
    out.model.classes.names = {"cell", "debris"};
    out.options.images_dir = (out.dir / "images").string();
    out.options.annotations_path = (out.dir / "annotations.json").string();
    out.options.web_dir = (out.dir / "web").string();
    out.options.max_body_bytes = 1 << 16;
    static const fs::path to_remove = out.dir;
    std::atexit([] { remove_project(to_remove); });
    return out;
  }();
  return p;
}

std::vector<std::string> split_requests(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (out.size() < 6) {
    const size_t end = text.find("\n~~~\n", begin);
    out.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 5;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Project& p = project();
  std::error_code ec;
  fs::remove(p.options.annotations_path, ec);
  wisenet::serve::AnnotationServer server(p.model, p.options);
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const std::string& request : split_requests(text)) {
    const size_t line_end = request.find('\n');
    const std::string line = request.substr(0, line_end);
    const std::string body = line_end == std::string::npos ? "" : request.substr(line_end + 1);
    const size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const wisenet::serve::LocalResponse response =
        server.handle_local(line.substr(0, space), line.substr(space + 1), body);
    if (response.status >= 500 || response.status < 100) {
      std::fprintf(stderr, "status %d for %s: %s\n", response.status, line.c_str(),
                   response.body.c_str());
      std::abort();
    }
  }
  // Whatever the requests did, the saved work must open again.
  if (fs::exists(p.options.annotations_path, ec)) {
    try {
      (void)wisenet::read_coco(p.options.annotations_path);
    } catch (const wisenet::Error& e) {
      std::fprintf(stderr, "the annotations file does not read back: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
