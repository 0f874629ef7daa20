// The exported graphs' structure and the deployment config, without running them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>

#include "test_env.h"
#include "wisenet/deploy/onnx_export.h"

namespace wisenet {
namespace {

WiseNet small_model() {
  torch::manual_seed(0);
  WiseNetOptions o;
  o.num_classes = 2;
  o.embedding_dim = 4;
  return WiseNet(o);
}

TEST(OnnxExport, GraphUsesOnlyOpenCvFriendlyOperators) {
  WiseNet net = small_model();
  net->eval();
  const std::set<std::string> allowed = {"Conv",  "Relu",    "MaxPool", "Add",   "Resize",
                                         "Shape", "Slice",   "Concat",  "Softmax", "Transpose"};
  for (OnnxBranch branch : {OnnxBranch::kLNet, OnnxBranch::kENet}) {
    const onnx::ModelProto model = export_branch(*net, branch, 11);
    int resizes = 0, softmaxes = 0;
    for (const auto& node : model.graph().node()) {
      EXPECT_TRUE(allowed.count(node.op_type())) << node.op_type();  // no Identity, no BN
      if (node.op_type() == "Softmax") ++softmaxes;
      if (node.op_type() != "Resize") continue;
      ++resizes;
      bool align_corners = false;
      for (const auto& a : node.attribute()) {
        align_corners |= a.name() == "coordinate_transformation_mode" && a.s() == "align_corners";
      }
      EXPECT_TRUE(align_corners);
    }
    EXPECT_EQ(resizes, 3);  // FCN8: 32 -> 16, 16 -> 8, 8 -> input
    EXPECT_EQ(softmaxes, branch == OnnxBranch::kLNet ? 1 : 0);
    const auto& dims = model.graph().input(0).type().tensor_type().shape().dim();
    ASSERT_EQ(dims.size(), 4);
    EXPECT_EQ(dims[0].dim_param(), "N");
    EXPECT_EQ(dims[1].dim_value(), 3);
    EXPECT_EQ(dims[2].dim_param(), "H");
    EXPECT_EQ(dims[3].dim_param(), "W");
    EXPECT_EQ(model.graph().output(0).name(),
              branch == OnnxBranch::kLNet ? "probabilities" : "embeddings");
  }
}

TEST(OnnxExport, UnsupportedOpsetIsOneLineError) {
  WiseNet net = small_model();
  for (int64_t opset : {10, 14}) {
    const std::string e = test::error_of([&] { export_branch(*net, OnnxBranch::kLNet, opset); });
    EXPECT_NE(e.find("opset " + std::to_string(opset)), std::string::npos) << e;
    EXPECT_EQ(test::count_lines(e + "\n"), 1) << e;
  }
}

TEST(OnnxExport, WritesFilesAndConfigRoundTrips) {
  WiseNet net = small_model();
  DeployConfig config;
  config.opset = 12;
  config.model = net->options();
  config.classes.category_ids = {3, 7};
  config.classes.names = {"cell", "debris"};
  config.prediction.mode = PredictionMode::kBestDice;
  config.prediction.proposal_threshold = 0.25;
  config.prediction.similarity_form = SimilarityForm::kSigmoid;
  const auto dir = test::temp_dir("onnx_export");
  export_onnx(*net, config, dir.string());
  for (const char* f : {"lnet.onnx", "enet.onnx", "wisenet.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  const DeployConfig back = read_deploy_config(dir.string());
  EXPECT_EQ(back.opset, 12);
  EXPECT_EQ(back.classes.category_ids, config.classes.category_ids);
  EXPECT_EQ(back.classes.names, config.classes.names);
  EXPECT_EQ(back.prediction.mode, PredictionMode::kBestDice);
  EXPECT_DOUBLE_EQ(back.prediction.proposal_threshold, 0.25);
  EXPECT_EQ(back.model.embedding_dim, 4);
  EXPECT_EQ(back.prediction.similarity_form, SimilarityForm::kSigmoid);
  // wisenet.json from before the similarity field: the default form; an unknown form: an error
  // naming the file.
  nlohmann::json json = read_deploy_json(dir.string());
  json["prediction"].erase("similarity");
  EXPECT_EQ(deploy_config_from_json(json, "old.json").prediction.similarity_form,
            SimilarityForm::kExponential);
  json["prediction"]["similarity"] = "cos";
  const std::string message = test::error_of([&] { deploy_config_from_json(json, "bad.json"); });
  EXPECT_NE(message.find("bad.json"), std::string::npos) << message;
  EXPECT_NE(message.find("cos"), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
