#include "wisenet/serve/annotation_server.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
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
  // Replace, not throw on, invalid UTF-8: an error message may quote a request's bytes (found
  // by fuzzing: "?image=b%FFr.png" made the 400 reply itself throw).
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
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

// `value` as an integer in [lo, hi]; a request error naming `what` otherwise. get<int>() of
// 3e40 is undefined behaviour and of 4294967297 silently 1.
int64_t checked_integer(const json& value, const std::string& what, int64_t lo, int64_t hi) {
  const bool fits =
      value.is_number_unsigned() ? value.get<uint64_t>() <= static_cast<uint64_t>(hi)
      : value.is_number_integer()
          ? value.get<int64_t>() >= lo && value.get<int64_t>() <= hi
          : false;
  if (!fits) {
    throw Error("request", what + " must be an integer in [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "]");
  }
  return value.get<int64_t>();
}

int required_int(const json& body, const char* key) {
  if (!body.contains(key)) {
    throw Error("request", std::string("field '") + key + "' (an integer) is required");
  }
  return static_cast<int>(checked_integer(body[key], std::string("field '") + key + "'",
                                          std::numeric_limits<int>::min(),
                                          std::numeric_limits<int>::max()));
}

// Element `index` of the array `point` ([x, y]) as an int.
int point_coordinate(const json& point, size_t index) {
  return static_cast<int>(checked_integer(point[index], index == 0 ? "point x" : "point y",
                                          std::numeric_limits<int>::min(),
                                          std::numeric_limits<int>::max()));
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

namespace {

// One route as registered with the HTTP server, kept for handle_local. Patterns are a literal
// path or a literal prefix followed by "(\\d+)" (an instance id), nothing else, so handle_local
// matches them without std::regex (whose inlined code trips GCC 12's maybe-uninitialized
// warning under AddressSanitizer).
struct Route {
  std::string method;
  std::string pattern;
  httplib::Server::Handler handler;
};

const std::string kIdGroup = "(\\d+)";

bool route_matches(const std::string& pattern, const std::string& path) {
  if (pattern.size() < kIdGroup.size() ||
      pattern.compare(pattern.size() - kIdGroup.size(), kIdGroup.size(), kIdGroup) != 0) {
    return path == pattern;
  }
  const size_t prefix = pattern.size() - kIdGroup.size();
  return path.size() > prefix && path.compare(0, prefix, pattern, 0, prefix) == 0 &&
         path.find_first_not_of("0123456789", prefix) == std::string::npos;
}

// The instance id at the end of the path "/api/instances/ID" (digits, as the route matched).
// An id too large for int64 names no instance.
int64_t instance_id(const httplib::Request& req) {
  const std::string digits = req.path.substr(req.path.rfind('/') + 1);
  if (digits.empty() || digits.size() > 18) {
    throw StaleEdit("request", "instance " + digits.substr(0, 40) + " does not exist");
  }
  return std::stoll(digits);
}

// Fills in the body of an error reply that has none (404 of an unknown path, 413, ...).
void fill_error_body(const httplib::Request&, httplib::Response& res) {
  if (res.body.empty()) {
    const std::string what = res.status == 413   ? "request body over the size limit"
                             : res.status == 404 ? "no such resource"
                                                 : "request refused";
    reply_error(res, res.status, what);
  }
}

}  // namespace

struct AnnotationServer::State {
  TrainedModel model;
  ServeOptions options;
  AnnotationStore store;
  httplib::Server server;
  std::mutex model_mutex;  // one forward pass at a time: the module is not re-entrant
  std::mutex images_mutex;
  std::map<std::string, cv::Mat> images;  // decoded RGB, by file name
  std::vector<Route> routes;               // every route, for handle_local

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

  // Registers `handler` for `method` and `pattern` with the server and in `routes`.
  void route(const std::string& method, const std::string& pattern,
             httplib::Server::Handler handler) {
    if (method == "GET") server.Get(pattern, handler);
    if (method == "POST") server.Post(pattern, handler);
    if (method == "PUT") server.Put(pattern, handler);
    if (method == "DELETE") server.Delete(pattern, handler);
    routes.push_back({method, pattern, std::move(handler)});
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
  for (const auto& [route_path, file] : files) {
    const std::string path = (fs::path(options.web_dir) / file.first).string();
    const std::string type = file.second;
    route("GET", route_path, guarded([path, type](const httplib::Request&, httplib::Response& res) {
            res.set_content(read_file(path), type.c_str());
            res.set_header("Cache-Control", "no-cache");
          }));
  }
}

void AnnotationServer::State::add_export_routes() {
  route("GET", "/api/export/coco", guarded([this](const httplib::Request&, httplib::Response& res) {
               res.set_header("Content-Disposition", "attachment; filename=\"annotations.json\"");
               res.set_content(store.coco_json(), "application/json");
             }));
  route("GET", "/api/export/points.csv",
             guarded([this](const httplib::Request&, httplib::Response& res) {
               res.set_header("Content-Disposition", "attachment; filename=\"points.csv\"");
               res.set_content(store.points_csv(), "text/csv");
             }));
}

void AnnotationServer::State::add_routes() {
  add_static_routes();
  add_export_routes();
  route("GET", "/api/info", guarded([this](const httplib::Request&, httplib::Response& res) {
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
  route("GET", "/api/image", guarded([this](const httplib::Request& req, httplib::Response& res) {
               cv::Mat bgr;
               cv::cvtColor(rgb(req.get_param_value("name")), bgr, cv::COLOR_RGB2BGR);
               std::vector<uchar> png;
               cv::imencode(".png", bgr, png);
               res.set_content(std::string(png.begin(), png.end()), "image/png");
             }));
  route("GET", "/api/annotations",
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
  route("POST", "/api/masks", guarded([this](const httplib::Request& req, httplib::Response& res) {
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
  route("POST", "/api/instances",
              guarded([this](const httplib::Request& req, httplib::Response& res) {
                const json body = parse_body(req);
                const std::string name = required_string(body, "image");
                join_checked(options.images_dir, name);
                const int category = required_int(body, "category");
                if (!body.contains("point") || !body["point"].is_array() ||
                    body["point"].size() != 2) {
                  throw Error("request", "field 'point' ([x, y]) is required");
                }
                const ImageInfo image = store.image(name);
                // Inside the image: a point outside it was saved, and the annotations file
                // then failed to open again ("lies outside image").
                const Point point{point_coordinate(body["point"], 0),
                                  point_coordinate(body["point"], 1), category};
                if (point.x < 0 || point.y < 0 || point.x >= image.width ||
                    point.y >= image.height) {
                  throw Error("request", "point (" + std::to_string(point.x) + ", " +
                                             std::to_string(point.y) + ") lies outside image '" +
                                             name + "' (" + std::to_string(image.width) + "x" +
                                             std::to_string(image.height) + ")");
                }
                Instance instance;
                if (body.contains("mask")) {
                  instance.mask = mask_from_json(body["mask"], "field 'mask'");
                } else {
                  instance = click_masks(name, {point}).at(0);
                }
                if (body.contains("id")) {
                  // Up to 2^53 - 1: the page's JavaScript numbers hold ids exactly up to there.
                  instance.id =
                      checked_integer(body["id"], "field 'id'", 0, (int64_t{1} << 53) - 1);
                }
                instance.category = category;
                instance.point = point;
                reply_json(res, instance_to_json(store.add(name, instance)), 201);
              }));
  route("PUT", R"(/api/instances/(\d+))",
             guarded([this](const httplib::Request& req, httplib::Response& res) {
               const int64_t id = instance_id(req);
               const json body = parse_body(req);
               std::optional<int> category;
               std::optional<Rle> mask;
               if (body.contains("category")) category = required_int(body, "category");
               if (body.contains("mask")) mask = mask_from_json(body["mask"], "field 'mask'");
               reply_json(res, instance_to_json(store.update(id, category, mask)));
             }));
  route("DELETE", R"(/api/instances/(\d+))",
                guarded([this](const httplib::Request& req, httplib::Response& res) {
                  const int64_t id = instance_id(req);
                  store.remove(id);
                  reply_json(res, {{"deleted", id}});
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
  s.server.set_error_handler(httplib::Server::Handler(fill_error_body));
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

LocalResponse AnnotationServer::handle_local(const std::string& method, const std::string& target,
                                             const std::string& body) {
  State& s = *state_;
  httplib::Request req;
  httplib::Response res;
  req.method = method;
  req.target = target;
  req.body = body;
  const size_t query = target.find('?');
  req.path = httplib::detail::decode_url(target.substr(0, query), false);
  if (query != std::string::npos) {
    httplib::detail::parse_query_text(target.substr(query + 1), req.params);
  }
  if (body.size() > s.options.max_body_bytes) {
    res.status = 413;
  } else {
    for (const Route& r : s.routes) {
      if (r.method == method && route_matches(r.pattern, req.path)) {
        try {  // as cpp-httplib does around its handlers
          r.handler(req, res);
        } catch (const std::exception&) {
          res.status = 500;
        }
        if (res.status == -1) res.status = 200;
        break;
      }
    }
    if (res.status == -1) res.status = 404;
  }
  if (res.status >= 400) fill_error_body(req, res);
  return {res.status, res.get_header_value("Content-Type"), res.body};
}

}  // namespace wisenet::serve
