// Dense scenes: prediction keeps every seed's object, with no hidden cap (the shared nuclei
// have up to 375 per image).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "wisenet/infer/predictor.h"

namespace wisenet {
namespace {

TEST(DensePredict, ThreeHundredSeventyFiveSeedsGiveThreeHundredSeventyFiveObjects) {
  // 80 x 84 image: a 20 x 20 grid of 4x4 cells above a 4-row background strip. Every pixel of
  // the first 375 cells has its cell's embedding, the strip and the last 25 cells a far one
  // (background), so each object is exactly its cell.
  const int cells = 20, h = 84, w = 80, n = 375;
  torch::Tensor e = torch::full({2, h, w}, -1000.0f);
  for (int y = 0; y < 80; ++y) {
    for (int x = 0; x < w; ++x) {
      if ((y / 4) * cells + x / 4 >= n) continue;
      e[0][y][x] = float(x / 4);
      e[1][y][x] = float(y / 4);
    }
  }
  std::vector<ObjectSeed> seeds;
  for (int k = 0; k < n; ++k) seeds.push_back({{(k % cells) * 4 + 1, (k / cells) * 4 + 2}, 1, 0.9});
  cv::Mat strip(h, w, CV_8UC1, cv::Scalar(0));
  strip.rowRange(80, h).setTo(1);
  const std::vector<Instance> objects =
      instances_from_embeddings(e, seeds, Rle::from_mask(strip), nullptr, PredictOptions{});
  ASSERT_EQ(objects.size(), size_t(n));
  for (int k = 0; k < n; ++k) {
    EXPECT_EQ(objects[k].area, 16) << k;
    EXPECT_TRUE(objects[k].mask.contains(seeds[k].pixel.x, seeds[k].pixel.y)) << k;
  }
}

}  // namespace
}  // namespace wisenet
