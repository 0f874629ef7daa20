// Checkpoints: bit-for-bit round trip (model, Adam state, step, options), architecture checks,
// damaged files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

WiseNetOptions small_options() {
  WiseNetOptions options;
  options.num_classes = 2;
  options.embedding_dim = 8;
  return options;
}

torch::optim::AdamOptions adam_options() {
  return torch::optim::AdamOptions(1e-3).weight_decay(5e-4);
}

// One step on both branches with a fixed input, so Adam has state and BN statistics move.
void train_step(WiseNet& net, torch::optim::Adam& adam, int seed) {
  torch::manual_seed(seed);
  const torch::Tensor x = torch::randn({1, 3, 48, 48});
  adam.zero_grad();
  const WiseNetOutput out = net->forward(x);
  (out.logits.pow(2).mean() + out.embeddings.abs().mean()).backward();
  adam.step();
}

using test::error_of;

void expect_same_state(WiseNetImpl& a, WiseNetImpl& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(torch::equal(pa[i].value(), pb[i].value())) << pa[i].key();
  }
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  ASSERT_EQ(ba.size(), bb.size());
  for (size_t i = 0; i < ba.size(); ++i) {
    EXPECT_TRUE(torch::equal(ba[i].value(), bb[i].value())) << ba[i].key();
  }
}

TEST(CheckpointTest, RoundTripIsBitForBitAndResumesIdentically) {
  const fs::path dir = test::temp_dir("checkpoint");
  const std::string path = (dir / "model.ckpt").string();
  torch::manual_seed(1);
  WiseNet original(small_options());
  torch::optim::Adam adam(original->parameters(), adam_options());
  train_step(original, adam, 10);
  train_step(original, adam, 11);
  save_checkpoint(path, *original, &adam, 42, {"cell", "nucleus"}, R"({"epoch":3})");
  // Atomic write: only the checkpoint is left in the folder.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);

  const CheckpointInfo info = read_checkpoint_info(path);
  EXPECT_EQ(options_to_json(info.options), options_to_json(small_options()));
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"cell", "nucleus"}));
  EXPECT_EQ(info.step, 42);
  EXPECT_EQ(info.extra, R"({"epoch":3})");
  EXPECT_TRUE(info.has_optimizer_state);

  torch::manual_seed(2);  // different initial weights: the load must overwrite them all
  WiseNet restored(info.options, /*load_backbone_weights=*/false);
  torch::optim::Adam restored_adam(restored->parameters(), adam_options());
  const CheckpointInfo loaded = load_checkpoint(path, *restored, &restored_adam);
  EXPECT_EQ(loaded.step, 42);
  expect_same_state(*original, *restored);

  // The optimiser state came back too: one more identical step gives identical weights.
  train_step(original, adam, 12);
  train_step(restored, restored_adam, 12);
  expect_same_state(*original, *restored);
  fs::remove_all(dir);
}

TEST(CheckpointTest, WithoutOptimizer) {
  const fs::path dir = test::temp_dir("checkpoint");
  const std::string path = (dir / "model.ckpt").string();
  WiseNet net(small_options());
  save_checkpoint(path, *net, nullptr, 0, {"object"});
  EXPECT_FALSE(read_checkpoint_info(path).has_optimizer_state);
  WiseNet other(small_options());
  load_checkpoint(path, *other, nullptr);
  expect_same_state(*net, *other);
  torch::optim::Adam adam(other->parameters(), adam_options());
  EXPECT_EQ(error_of([&] { load_checkpoint(path, *other, &adam); }),
            path + ": checkpoint holds no optimizer state");
  fs::remove_all(dir);
}

TEST(CheckpointTest, DifferentArchitectureIsNamedInOneLine) {
  const fs::path dir = test::temp_dir("checkpoint");
  const std::string path = (dir / "model.ckpt").string();
  WiseNet net(small_options());
  save_checkpoint(path, *net, nullptr, 5, {"a", "b"});

  WiseNetOptions more_classes = small_options();
  more_classes.num_classes = 3;
  WiseNet other(more_classes);
  const torch::Tensor before = other->lnet->head->score8->weight.clone();
  EXPECT_EQ(error_of([&] { load_checkpoint(path, *other, nullptr); }),
            path + ": architecture differs: num_classes is 2 in the checkpoint, 3 in the model");
  EXPECT_TRUE(torch::equal(before, other->lnet->head->score8->weight));

  WiseNetOptions shared = small_options();
  shared.shared_backbone = true;
  WiseNet shared_net(shared);
  EXPECT_EQ(error_of([&] { load_checkpoint(path, *shared_net, nullptr); }),
            path +
                ": architecture differs: shared_backbone is false in the checkpoint, true in "
                "the model");

  WiseNetOptions resnet = small_options();
  resnet.backbone = "resnet18";
  WiseNet resnet_net(resnet);
  EXPECT_EQ(error_of([&] { load_checkpoint(path, *resnet_net, nullptr); }),
            path +
                ": architecture differs: backbone is 'small' in the checkpoint, 'resnet18' in "
                "the model");

  // An optimiser over a different parameter list does not fit the saved state.
  save_checkpoint(path, *net, nullptr, 5, {"a", "b"});
  torch::optim::Adam full(net->parameters(), adam_options());
  train_step(net, full, 3);
  save_checkpoint(path, *net, &full, 6, {"a", "b"});
  torch::optim::Adam lnet_only(net->lnet_parameters(), adam_options());
  const std::string message = error_of([&] { load_checkpoint(path, *net, &lnet_only); });
  EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  fs::remove_all(dir);
}

TEST(CheckpointTest, DamagedFilesFailCleanly) {
  const fs::path dir = test::temp_dir("checkpoint");
  const std::string path = (dir / "model.ckpt").string();
  WiseNet net(small_options());
  save_checkpoint(path, *net, nullptr, 1, {"a"});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string truncated = (dir / "truncated.ckpt").string();
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const std::string garbage = (dir / "garbage.ckpt").string();
  std::ofstream(garbage, std::ios::binary) << "not a checkpoint at all";
  const std::string missing = (dir / "missing.ckpt").string();

  for (const std::string& bad : {truncated, garbage, missing}) {
    const std::string info_error = error_of([&] { read_checkpoint_info(bad); });
    EXPECT_EQ(info_error.rfind(bad + ": ", 0), 0u) << info_error;
    EXPECT_EQ(info_error.find('\n'), std::string::npos) << info_error;
    const std::string load_error = error_of([&] { load_checkpoint(bad, *net, nullptr); });
    EXPECT_EQ(load_error.rfind(bad + ": ", 0), 0u) << load_error;
  }
  EXPECT_EQ(error_of([&] { read_checkpoint_info(missing); }), missing + ": checkpoint not found");
  fs::remove_all(dir);
}

// torch's zip reader ignores its CRCs: without wisenet's checksum a flipped byte inside a
// tensor would load as a silently different weight.
TEST(CheckpointTest, AFlippedByteIsDetectedByTheChecksum) {
  const fs::path dir = test::temp_dir("checkpoint");
  const std::string path = (dir / "model.ckpt").string();
  WiseNet net(small_options());
  save_checkpoint(path, *net, nullptr, 1, {"a", "b"});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  WiseNet other(small_options());
  const torch::Tensor before = other->lnet->head->score8->weight.clone();
  // Several places: the zip header, the middle (tensor data), the trailer's checksum.
  for (size_t at : {size_t{40}, bytes.size() / 2, bytes.size() - 3}) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
    const std::string bad = (dir / ("flipped" + std::to_string(at) + ".ckpt")).string();
    std::ofstream(bad, std::ios::binary) << flipped;
    EXPECT_EQ(error_of([&] { read_checkpoint_info(bad); }),
              bad + ": checkpoint checksum mismatch (file corrupt); not using it");
    EXPECT_EQ(error_of([&] { load_checkpoint(bad, *other, nullptr); }),
              bad + ": checkpoint checksum mismatch (file corrupt); not using it");
  }
  EXPECT_TRUE(torch::equal(before, other->lnet->head->score8->weight));
  // The intact file still loads.
  load_checkpoint(path, *other, nullptr);
  expect_same_state(*net, *other);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
