// wisenet serve: the annotation app (click on objects, get masks, refine, export).
#include <csignal>
#include <filesystem>
#include <iostream>

#include "commands/command.h"
#include "wisenet/core/threads.h"
#include "wisenet/serve/annotation_server.h"

namespace wisenet::cli {

namespace {
struct ServeParams {
  std::string model;
  std::string images;
  std::string annotations;
  std::string web;
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 0;
  size_t max_body_mb = 16;
};

serve::AnnotationServer* running = nullptr;
extern "C" void stop_serving(int) {
  if (running != nullptr) running->stop();
}
}  // namespace

void add_serve_command(CLI::App& app) {
  auto p = std::make_shared<ServeParams>();
  CLI::App* sub = app.add_subcommand("serve", "Annotation app: click objects, refine masks, export");
  sub->add_option("--model", p->model, "checkpoint with L-Net and E-Net (best.ckpt of a run)")
      ->required();
  sub->add_option("--images", p->images, "folder of the images to annotate")->required();
  sub->add_option("--annotations", p->annotations,
                  "COCO JSON read at start and saved on every change "
                  "(default: IMAGES/annotations.json)");
  sub->add_option("--host", p->host, "address to listen on (default 127.0.0.1: this machine only)");
  sub->add_option("--port", p->port, "port (0: any free port)")->check(CLI::Range(0, 65535));
  sub->add_option("--web", p->web, "folder of the page (index.html, app.js, style.css)");
  sub->add_option("--max-body-mb", p->max_body_mb, "largest request body accepted");
  add_threads_option(sub, &p->threads);
  sub->callback([p] {
    set_threads(p->threads);
    serve::ServeOptions options;
    options.images_dir = p->images;
    options.annotations_path = p->annotations.empty()
                                   ? (std::filesystem::path(p->images) / "annotations.json").string()
                                   : p->annotations;
    options.web_dir = p->web.empty() ? serve::default_web_dir() : p->web;
    options.max_body_bytes = p->max_body_mb << 20;
    serve::AnnotationServer server(load_trained_model(p->model), options);
    const int port = server.bind(p->host, p->port);
    std::cout << "wisenet serve: http://" << p->host << ":" << port << "/  (annotations: "
              << options.annotations_path << "; Ctrl-C stops)" << std::endl;
    running = &server;
    std::signal(SIGINT, stop_serving);
    std::signal(SIGTERM, stop_serving);
    server.run();
    running = nullptr;
  });
}

}  // namespace wisenet::cli
