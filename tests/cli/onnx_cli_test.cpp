// End-to-end: wisenet export, then predict --onnx (OpenCV dnn) against predict --model
// (libtorch) on the synthetic validation split: the same masks, scores within 1e-4.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/data/image_io.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// A small random WiseNet (one class, "disc", id 1) whose class-1 logit is centred on its median
// over a synthetic image, so that L-Net finds blobs (a random L-Net otherwise finds none).
void write_checkpoint(const fs::path& path, const fs::path& image) {
  torch::set_num_threads(1);
  torch::manual_seed(2);
  WiseNetOptions o;
  o.num_classes = 1;
  o.embedding_dim = 8;
  WiseNet net(o);
  torch::NoGradGuard no_grad;
  net->eval();
  const torch::Tensor logits = net->localize(image_to_tensor(load_image(image.string())))[0];
  const double shift = (logits[1] - logits[0]).median().item<double>();
  net->lnet->head->score8->bias[1] -= shift;
  save_checkpoint(path.string(), *net, nullptr, 0, {"disc"}, R"({"category_ids":[1]})");
}

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(read_file(path.string())); }

TEST(OnnxCli, PredictOnnxMatchesPredictModel) {
  const fs::path dir = test::temp_dir("onnx_cli");
  auto r = test::run_cli("synth --out " + (dir / "synth").string() +
                         " --images 20 --size 64 --classes 1 --seed 4 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  write_checkpoint(dir / "model.ckpt", dir / "synth" / "images" / "synth_000016.png");
  r = test::run_cli("export --model " + (dir / "model.ckpt").string() + " --out " +
                    (dir / "onnx").string() + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* file : {"lnet.onnx", "enet.onnx", "wisenet.json"}) {
    EXPECT_TRUE(fs::exists(dir / "onnx" / file)) << file;
  }
  const nlohmann::json config = read_json(dir / "onnx" / "wisenet.json");
  EXPECT_EQ(config["classes"][0]["name"], "disc");
  EXPECT_EQ(config["opset"], 11);

  const std::string common = " --images " + (dir / "synth" / "val.json").string() +
                             " --threads 1 --quiet --out ";
  r = test::run_cli("predict --model " + (dir / "model.ckpt").string() + common +
                    (dir / "torch").string());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = test::run_cli("predict --onnx " + (dir / "onnx").string() + common +
                    (dir / "dnn").string());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const nlohmann::json torch_results = read_json(dir / "torch" / "results.json");
  const nlohmann::json dnn_results = read_json(dir / "dnn" / "results.json");
  ASSERT_GT(torch_results.size(), 3u);  // the comparison means something
  ASSERT_EQ(torch_results.size(), dnn_results.size());
  for (size_t i = 0; i < torch_results.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(torch_results[i]["image_id"], dnn_results[i]["image_id"]);
    EXPECT_EQ(torch_results[i]["category_id"], dnn_results[i]["category_id"]);
    EXPECT_EQ(torch_results[i]["segmentation"], dnn_results[i]["segmentation"]);
    EXPECT_NEAR(torch_results[i]["score"].get<double>(), dnn_results[i]["score"].get<double>(),
                1e-4);
  }
  EXPECT_EQ(read_file((dir / "torch" / "counts.csv").string()),
            read_file((dir / "dnn" / "counts.csv").string()));
  fs::remove_all(dir);
}

TEST(OnnxCli, BadInputIsOneLine) {
  const fs::path dir = test::temp_dir("onnx_cli_bad");
  auto r = test::run_cli("predict --onnx " + (dir / "missing").string() + " --images " +
                         dir.string() + " --out " + (dir / "out").string() + " --quiet");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("wisenet.json"), std::string::npos) << r.err;
  EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  r = test::run_cli("predict --images " + dir.string() + " --out " + (dir / "out").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
