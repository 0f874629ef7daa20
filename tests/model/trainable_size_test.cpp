// The smallest trainable image: the rule of trainable_size.h against the real networks.
#include "wisenet/model/trainable_size.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_env.h"
#include "wisenet/model/image_tensor.h"
#include "wisenet/model/wisenet_model.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

TEST(TrainableSize, Stride32SideIsTheBackbonesSmallestMapForEveryBackbone) {
  torch::NoGradGuard no_grad;
  for (const char* name : {"small", "resnet18", "resnet50"}) {
    auto net = make_backbone(name);
    net->eval();
    for (const int n : {1, 2, 31, 32, 33, 64, 65, 97}) {
      const auto f = net->forward(torch::zeros({1, 3, n, 2 * n + 1}));
      EXPECT_EQ(f.stride32.size(2), stride32_side(n)) << name << " " << n;
      EXPECT_EQ(f.stride32.size(3), stride32_side(2 * n + 1)) << name << " " << n;
    }
  }
}

// One training forward (N = 1, trainable BatchNorm) of a height x width image; false when
// libtorch refuses it.
bool trains(const char* backbone, int height, int width) {
  WiseNetOptions options;
  options.backbone = backbone;
  options.embedding_dim = 4;
  WiseNet net(options, /*load_backbone_weights=*/false);
  net->train();
  try {
    net->localize(torch::zeros({1, 3, height, width}));
    return true;
  } catch (const c10::Error&) {
    return false;
  }
}

TEST(TrainableSize, PredictsWhichImagesTrainWithTrainableBatchNorm) {
  const int sizes[][2] = {{32, 32}, {33, 32}, {32, 33}, {1, 40}, {8, 8}, {64, 64}, {1, 1}};
  for (const char* backbone : {"small", "resnet18"}) {
    for (const auto& s : sizes) {
      EXPECT_EQ(trains(backbone, s[0], s[1]), trainable_size(s[1], s[0]))
          << backbone << " " << s[1] << "x" << s[0];
    }
  }
  EXPECT_FALSE(trainable_size(32, 32));
  EXPECT_TRUE(trainable_size(33, 1));
}

TEST(TrainableSize, CheckNamesTheFirstTooSmallImageAndTheSideNeeded) {
  const fs::path dir = test::temp_dir("trainable");
  CocoDataset d;
  d.source = (dir / "data.json").string();
  d.images = {{1, "big.png", 64, 64}, {2, "small.png", 32, 20}, {3, "also.png", 8, 8}};
  EXPECT_EQ(test::error_of([&] { check_trainable_sizes(d, dir.string(), false, 0.0); }),
            (dir / "small.png").string() +
                ": image is 32x20, too small to train on: its longer side must be at least 33 "
                "pixels (trainable BatchNorm needs 2 values in the stride-32 features)");
  EXPECT_EQ(test::error_of([&] { check_trainable_sizes(d, dir.string(), true, 0.0); }),
            "(no error)");
  // With jitter 0.5 the 64x64 image shrinks to 32x32: it needs a longer side of 65
  // (lround(65 * 0.5) = 33).
  d.images.resize(1);
  EXPECT_EQ(test::error_of([&] { check_trainable_sizes(d, dir.string(), false, 0.5); }),
            (dir / "big.png").string() +
                ": image is 64x64, too small to train on with --scale-jitter 0.5 (down to "
                "32x32): its longer side must be at least 65 pixels (trainable BatchNorm needs "
                "2 values in the stride-32 features)");
  EXPECT_EQ(test::error_of([&] { check_trainable_sizes(d, dir.string(), false, 0.4); }),
            "(no error)");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
