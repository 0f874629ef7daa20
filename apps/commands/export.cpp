// wisenet export: the trained networks as ONNX graphs (lnet.onnx, enet.onnx) that OpenCV's dnn
// module runs, plus wisenet.json (classes, normalisation, prediction options).
#include <iostream>

#include "commands/command.h"
#include "wisenet/core/threads.h"
#include "wisenet/deploy/onnx_export.h"
#include "wisenet/infer/trained_model.h"

namespace wisenet::cli {

namespace {
struct ExportParams {
  std::string model;
  std::string out;
  int64_t opset = 11;
  std::string mode = "embedding";
  double proposal_threshold = 0.5;
  int threads = 0;
};
}  // namespace

void add_export_command(CLI::App& app) {
  auto p = std::make_shared<ExportParams>();
  CLI::App* sub =
      app.add_subcommand("export", "Export L-Net and E-Net as ONNX (run by OpenCV dnn)");
  sub->add_option("--model", p->model, "checkpoint (best.ckpt or last.ckpt of a run)")->required();
  sub->add_option("--out", p->out, "output folder: lnet.onnx, enet.onnx, wisenet.json")
      ->required();
  sub->add_option("--opset", p->opset, "ONNX opset")
      ->check(CLI::Range(kMinOnnxOpset, kMaxOnnxOpset))
      ->capture_default_str();
  sub->add_option("--mode", p->mode, "prediction mode recorded in wisenet.json")
      ->check(CLI::IsMember({"embedding", "best-dice", "best-objectness"}))
      ->capture_default_str();
  sub->add_option("--proposal-threshold", p->proposal_threshold,
                  "proposal score threshold recorded in wisenet.json")
      ->capture_default_str();
  add_threads_option(sub, &p->threads);
  sub->callback([p] {
    set_threads(p->threads);
    TrainedModel model = load_trained_model(p->model);
    DeployConfig config;
    config.opset = p->opset;
    config.model = model.info.options;
    config.classes = model.classes;
    config.prediction.mode = parse_prediction_mode(p->mode);
    config.prediction.proposal_threshold = p->proposal_threshold;
    config.prediction.similarity_form = model.similarity_form;
    export_onnx(*model.model, config, p->out);
    std::cout << "exported " << config.model.backbone << " (opset " << p->opset << ") to "
              << p->out << ": lnet.onnx, enet.onnx, wisenet.json\n";
  });
}

}  // namespace wisenet::cli
