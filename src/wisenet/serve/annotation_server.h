#pragma once
// `wisenet serve`: the annotation app (the talk's real-life use of WISE-Net). An HTTP server
// with a JSON API and one static page (web/). The model proposes masks on first open of an
// image and for every click; the annotator removes, re-classes and brushes them; every
// change is saved to the COCO annotations file at once (AnnotationStore).
//
// API (JSON unless said; errors are {"error": "one line"} with 400 bad request, 404 unknown
// image, 409 stale edit, 413 body over the size limit):
//   GET    /api/info                      images (file_name, width, height, count), categories
//   GET    /api/image?name=F              the image as PNG
//   GET    /api/annotations?image=F       {"instances": [...]}; the first open of an image
//                                         without annotations stores the model's predictions
//   POST   /api/masks                     {"image", "points": [{"x","y","category"}]} ->
//                                         {"instances"}: masks_for_points, nothing saved
//   POST   /api/instances                 {"image", "category", "point": [x, y], "mask"?, "id"?}
//                                         adds one (mask from the click when absent); saved
//   PUT    /api/instances/ID              {"category"?, "mask"?}; saved
//   DELETE /api/instances/ID              saved
//   GET    /api/export/coco               the annotations file (attachment)
//   GET    /api/export/points.csv         image,x,y,class (attachment)
// Image names in requests must be plain file names (safe_name.h). Model calls are
// serialised (one forward at a time; libtorch uses the cores inside it).
#include <cstddef>
#include <memory>
#include <string>

#include "wisenet/infer/trained_model.h"

namespace wisenet::serve {

struct ServeOptions {
  std::string images_dir;        // the images (PNG/JPEG/TIFF/BMP directly inside)
  std::string annotations_path;  // COCO JSON, read when present, written on every change
  std::string web_dir;           // index.html, app.js, style.css
  size_t max_body_bytes = size_t{16} << 20;
};

// The folder holding index.html: $WISENET_WEB_DIR, else web/ beside the executable's
// folder's parent (build/bin/wisenet -> web/), else share/wisenet/web there.
std::string default_web_dir();

// One request answered in-process (AnnotationServer::handle_local).
struct LocalResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class AnnotationServer {
 public:
  // Lists the images (wisenet::Error for a missing or empty folder) and opens the store.
  AnnotationServer(TrainedModel model, ServeOptions options);
  ~AnnotationServer();
  AnnotationServer(const AnnotationServer&) = delete;
  AnnotationServer& operator=(const AnnotationServer&) = delete;

  // Binds to host:port (port 0: any free port); returns the port. wisenet::Error on failure.
  int bind(const std::string& host, int port);
  // Serves until stop(); call after bind.
  void run();
  // Thread-safe; run() returns soon after.
  void stop();

  // Answers one request as the HTTP server would (the same routes, handlers, body size limit
  // and error replies) without a socket: `target` is the path with an optional query
  // ("/api/annotations?image=a.png", percent-decoded as the server does). For tests and the
  // request fuzz target (fuzz/serve_request_fuzz.cpp). Not for use while run() is serving.
  LocalResponse handle_local(const std::string& method, const std::string& target,
                             const std::string& body);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wisenet::serve
