#include "wisenet/serve/annotation_server.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/infer/predictor.h"
#include "wisenet/serve/annotation_store.h"
#include "wisenet/serve/instance_json.h"
#include "wisenet/serve/safe_name.h"

namespace wisenet::serve {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".tif" || ext == ".tiff" ||
         ext == ".bmp";
}

// The folder's images with their sizes (read from the files), sorted by name.
std::vector<ImageInfo> list_images(const std::string& dir) {
  if (!fs::is_directory(dir)) throw Error(dir, "not a folder of images");
  std::vector<ImageInfo> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || !is_image_file(entry.path())) continue;
    const std::string name = entry.path().filename().string();
    if (!is_plain_file_name(name)) continue;
    const cv::Mat image = load_image(entry.path().string());
    ImageInfo info;
    info.file_name = name;
    info.width = image.cols;
    info.height = image.rows;
    out.push_back(info);
  }
  if (out.empty()) throw Error(dir, "no images (.png, .jpg, .tif, .bmp) in the folder");
  std::sort(out.begin(), out.end(),
            [](const ImageInfo& a, const ImageInfo& b) { return a.file_name < b.file_name; });
  return out;
}

std::vector<Category> categories_of(const ClassMap& classes) {
  std::vector<Category> out;
  for (int c = 0; c < classes.num_classes(); ++c) {
    out.push_back({classes.category_ids[c], classes.names[c]});
  }
  return out;
}

void reply_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, json{{"error", message}}, status);
}

// Parses a request body as a JSON object; a wisenet::Error (400) otherwise.
json parse_body(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) throw Error("request", "body is not valid JSON");
  if (!body.is_object()) throw Error("request", "body must be a JSON object");
  return body;
}

std::string required_string(const json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_string()) {
    throw Error("request", std::string("field '") + key + "' (a string) is required");
  }
  return body[key].get<std::string>();
}

int required_int(const json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_number_integer()) {
    throw Error("request", std::string("field '") + key + "' (an integer) is required");
  }
  return body[key].get<int>();
}

}  // namespace

std::string default_web_dir() {
  if (const char* env = std::getenv("WISENET_WEB_DIR")) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& dir : {exe.parent_path().parent_path().parent_path() / "web",
                                exe.parent_path().parent_path() / "web",
                                exe.parent_path().parent_path() / "share/wisenet/web"}) {
      if (fs::exists(dir / "index.html")) return dir.string();
    }
  }
  return "web";
}

struct AnnotationServer::State {
  TrainedModel model;
  ServeOptions options;
  AnnotationStore store;
  httplib::Server server;
  std::mutex model_mutex;  // one forward pass at a time: the module is not re-entrant
  std::mutex images_mutex;
  std::map<std::string, cv::Mat> images;  // decoded RGB, by file name

  State(TrainedModel m, ServeOptions o)
      : model(std::move(m)),
        options(std::move(o)),
        store(options.annotations_path, list_images(options.images_dir),
              categories_of(model.classes)) {}

  cv::Mat rgb(const std::string& name) {
    const std::string path = join_checked(options.images_dir, name);  // before any lookup
    store.image(name);  // NotFound for an image the app does not list
    std::lock_guard<std::mutex> lock(images_mutex);
    auto it = images.find(name);
    if (it == images.end()) it = images.emplace(name, load_image(path)).first;
    return it->second;
  }

  std::vector<Instance> click_masks(const std::string& name, const std::vector<Point>& points) {
    const cv::Mat image = rgb(name);
    for (const Point& p : points) {
      if (p.x < 0 || p.y < 0 || p.x >= image.cols || p.y >= image.rows) {
        throw Error("request", "point (" + std::to_string(p.x) + ", " + std::to_string(p.y) +
                                   ") lies outside image '" + name + "'");
      }
      if (std::none_of(model.classes.category_ids.begin(), model.classes.category_ids.end(),
                       [&](int id) { return id == p.category; })) {
        throw Error("request", "category " + std::to_string(p.category) + " is unknown");
      }
    }
    std::lock_guard<std::mutex> lock(model_mutex);
    return masks_for_points(*model.model, image, points);
  }

  void add_routes();
  void add_static_routes();
  void add_export_routes();
};

// Wraps a handler: maps the library's errors to status codes with a one-line message, so a bad
// request never takes the server down.
template <typename Fn>
httplib::Server::Handler guarded(Fn fn) {
  return [fn](const httplib::Request& req, httplib::Response& res) {
    try {
      fn(req, res);
    } catch (const NotFound& e) {
      reply_error(res, 404, e.what());
    } catch (const StaleEdit& e) {
      reply_error(res, 409, e.what());
    } catch (const Error& e) {
      reply_error(res, 400, e.what());
    } catch (const json::exception& e) {
      reply_error(res, 400, std::string("request: bad JSON field: ") + e.what());
    } catch (const std::exception& e) {
      reply_error(res, 500, e.what());
    }
  };
}

void AnnotationServer::State::add_static_routes() {
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> files = {
      {"/", {"index.html", "text/html; charset=utf-8"}},
      {"/index.html", {"index.html", "text/html; charset=utf-8"}},
      {"/app.js", {"app.js", "text/javascript; charset=utf-8"}},
      {"/style.css", {"style.css", "text/css; charset=utf-8"}}};
  for (const auto& [route, file] : files) {
    const std::string path = (fs::path(options.web_dir) / file.first).string();
    const std::string type = file.second;
    server.Get(route, guarded([path, type](const httplib::Request&, httplib::Response& res) {
                 res.set_content(read_file(path), type.c_str());
                 res.set_header("Cache-Control", "no-cache");
               }));
  }
}

void AnnotationServer::State::add_export_routes() {
  server.Get("/api/export/coco", guarded([this](const httplib::Request&, httplib::Response& res) {
               res.set_header("Content-Disposition", "attachment; filename=\"annotations.json\"");
               res.set_content(store.coco_json(), "application/json");
             }));
  server.Get("/api/export/points.csv",
             guarded([this](const httplib::Request&, httplib::Response& res) {
               res.set_header("Content-Disposition", "attachment; filename=\"points.csv\"");
               res.set_content(store.points_csv(), "text/csv");
             }));
}

void AnnotationServer::State::add_routes() {
  add_static_routes();
  add_export_routes();
  server.Get("/api/info", guarded([this](const httplib::Request&, httplib::Response& res) {
               json images = json::array();
               for (const auto& im : store.images()) {
                 images.push_back({{"file_name", im.file_name},
                                   {"width", im.width},
                                   {"height", im.height},
                                   {"count", store.count(im.file_name)}});
               }
               json categories = json::array();
               for (const auto& c : store.categories()) {
                 categories.push_back({{"id", c.id}, {"name", c.name}});
               }
               reply_json(res, {{"images", images}, {"categories", categories}});
             }));
  server.Get("/api/image", guarded([this](const httplib::Request& req, httplib::Response& res) {
               cv::Mat bgr;
               cv::cvtColor(rgb(req.get_param_value("name")), bgr, cv::COLOR_RGB2BGR);
               std::vector<uchar> png;
               cv::imencode(".png", bgr, png);
               res.set_content(std::string(png.begin(), png.end()), "image/png");
             }));
  server.Get("/api/annotations",
             guarded([this](const httplib::Request& req, httplib::Response& res) {
               const std::string name = req.get_param_value("image");
               join_checked(options.images_dir, name);
               store.image(name);
               if (store.count(name) == 0) {
                 // First open: the model's predictions become the starting annotations
                 // (once per image and server run, so deleting them all sticks).
                 const cv::Mat image = rgb(name);
                 std::vector<Instance> predicted;
                 {
                   std::lock_guard<std::mutex> lock(model_mutex);
                   predicted = predict_instances(*model.model, model.classes, image);
                 }
                 store.fill_once(name, predicted);
               }
               json out = json::array();
               for (const auto& in : store.instances(name)) out.push_back(instance_to_json(in));
               reply_json(res, {{"instances", out}});
             }));
  server.Post("/api/masks", guarded([this](const httplib::Request& req, httplib::Response& res) {
                const json body = parse_body(req);
                const std::string name = required_string(body, "image");
                join_checked(options.images_dir, name);
                if (!body.contains("points") || !body["points"].is_array()) {
                  throw Error("request", "field 'points' (an array) is required");
                }
                std::vector<Point> points;
                for (const auto& p : body["points"]) {
                  if (!p.is_object()) throw Error("request", "each point must be an object");
                  points.push_back({required_int(p, "x"), required_int(p, "y"),
                                    required_int(p, "category")});
                }
                json out = json::array();
                for (const auto& in : click_masks(name, points)) out.push_back(instance_to_json(in));
                reply_json(res, {{"instances", out}});
              }));
  server.Post("/api/instances",
              guarded([this](const httplib::Request& req, httplib::Response& res) {
                const json body = parse_body(req);
                const std::string name = required_string(body, "image");
                join_checked(options.images_dir, name);
                const int category = required_int(body, "category");
                if (!body.contains("point") || !body["point"].is_array() ||
                    body["point"].size() != 2) {
                  throw Error("request", "field 'point' ([x, y]) is required");
                }
                const Point point{body["point"][0].get<int>(), body["point"][1].get<int>(),
                                  category};
                Instance instance;
                if (body.contains("mask")) {
                  instance.mask = mask_from_json(body["mask"], "field 'mask'");
                } else {
                  instance = click_masks(name, {point}).at(0);
                }
                instance.id = body.value("id", int64_t{0});
                instance.category = category;
                instance.point = point;
                reply_json(res, instance_to_json(store.add(name, instance)), 201);
              }));
  server.Put(R"(/api/instances/(\d+))",
             guarded([this](const httplib::Request& req, httplib::Response& res) {
               const int64_t id = std::stoll(req.matches[1]);
               const json body = parse_body(req);
               std::optional<int> category;
               std::optional<Rle> mask;
               if (body.contains("category")) category = required_int(body, "category");
               if (body.contains("mask")) mask = mask_from_json(body["mask"], "field 'mask'");
               reply_json(res, instance_to_json(store.update(id, category, mask)));
             }));
  server.Delete(R"(/api/instances/(\d+))",
                guarded([this](const httplib::Request& req, httplib::Response& res) {
                  store.remove(std::stoll(req.matches[1]));
                  reply_json(res, {{"deleted", std::stoll(req.matches[1])}});
                }));
}

AnnotationServer::AnnotationServer(TrainedModel model, ServeOptions options)
    : state_(std::make_unique<State>(std::move(model), std::move(options))) {
  State& s = *state_;
  s.model.model->eval();
  s.server.set_payload_max_length(s.options.max_body_bytes);
  // A mask request can wait behind others for the model: give clients time.
  s.server.set_read_timeout(60, 0);
  s.server.set_write_timeout(60, 0);
  s.server.set_error_handler(httplib::Server::Handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      const std::string what = res.status == 413 ? "request body over the size limit"
                               : res.status == 404 ? "no such resource"
                                                   : "request refused";
      reply_error(res, res.status, what);
    }
  }));
  s.add_routes();
}

AnnotationServer::~AnnotationServer() { stop(); }

int AnnotationServer::bind(const std::string& host, int port) {
  httplib::Server& server = state_->server;
  const int bound = port == 0 ? server.bind_to_any_port(host.c_str())
                              : (server.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    throw Error(host + ":" + std::to_string(port), "cannot listen there (in use?)");
  }
  return bound;
}

void AnnotationServer::run() { state_->server.listen_after_bind(); }

void AnnotationServer::stop() {
  if (state_) state_->server.stop();
}

}  // namespace wisenet::serve
