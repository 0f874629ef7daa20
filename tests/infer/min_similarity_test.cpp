// The join's similarity floor (PredictOptions::min_similarity): the squared distance at which
// each form of S takes a value (against the loss's own S); object pixels at or past it go to
// the background, by hand and through instances_from_embeddings; the form comes from the
// checkpoint's train options; bad values are one-line errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "tensor_mat.h"
#include "test_env.h"
#include "wisenet/core/error.h"
#include "wisenet/infer/instance_masks_cv.h"
#include "wisenet/infer/instances_cv.h"
#include "wisenet/infer/trained_model.h"
#include "wisenet/loss/similarity.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

using test::as_mat;

// S at the returned distance is the threshold, in both forms, by the loss's own S.
TEST(SimilarityForm, SquaredDistanceAtSimilarityInvertsS) {
  for (SimilarityForm form : {SimilarityForm::kExponential, SimilarityForm::kSigmoid}) {
    for (int64_t dim : {1, 64}) {
      for (double s : {0.01, 0.5, 0.9}) {
        const double d2 = squared_distance_at_similarity(s, form, dim);
        const double back =
            similarity_from_distance(torch::tensor({d2}, torch::kDouble), form, dim).item<double>();
        EXPECT_NEAR(back, s, 1e-12) << to_string(form) << " D " << dim << " s " << s;
      }
    }
  }
  EXPECT_DOUBLE_EQ(squared_distance_at_similarity(0.5, SimilarityForm::kExponential, 64),
                   64 * std::log(2.0));
  EXPECT_DOUBLE_EQ(squared_distance_at_similarity(0.5, SimilarityForm::kSigmoid, 64),
                   std::log(3.0));
  for (double bad : {0.0, 1.0, -0.5, std::nan("")}) {
    EXPECT_THROW(squared_distance_at_similarity(bad, SimilarityForm::kExponential, 64), Error);
  }
  EXPECT_EQ(parse_similarity_form("sigmoid"), SimilarityForm::kSigmoid);
  EXPECT_THROW(parse_similarity_form("cosine"), Error);
}

// A 1 x 8 strip, D = 1, embeddings 0 1 2 ... 7; object seed at x = 0, background seed at x = 7.
// The plain join gives x 0-3 to the object (nearer 0 than 7); a limit of 2.25 (|e - 0| < 1.5)
// keeps x 0-1 only; the limit is "at or past": 4 sends x = 2 back too.
TEST(JoinMostSimilarSeed, PixelsAtOrPastTheDistanceLimitGoToTheBackground) {
  torch::Tensor e = torch::arange(8, torch::kFloat).reshape({1, 1, 8});
  const std::vector<cv::Point> seeds = {{0, 0}, {7, 0}};
  const cv::Mat plain = join_most_similar_seed(as_mat(e), seeds, {}, 1);
  EXPECT_EQ(cv::countNonZero(plain == 0), 4);
  const cv::Mat limited = join_most_similar_seed(as_mat(e), seeds, {}, 1, 0, 2.25);
  for (int x = 0; x < 8; ++x) EXPECT_EQ(limited.at<int>(0, x), x < 2 ? 0 : 1) << x;
  const cv::Mat at_limit = join_most_similar_seed(as_mat(e), seeds, {}, 1, 0, 4.0);
  EXPECT_EQ(cv::countNonZero(at_limit == 0), 2);
  // The seed keeps its own pixel even under a limit too small for anything.
  const cv::Mat tiny = join_most_similar_seed(as_mat(e), seeds, {}, 1, 0, 1e-9);
  EXPECT_EQ(cv::countNonZero(tiny == 0), 1);
  const auto one_line = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(test::count_lines(message + "\n"), 1) << message;
  };
  one_line(test::error_of([&] { join_most_similar_seed(as_mat(e), seeds, {}, 1, 0, 0.0); }),
           "distance limit");
  one_line(test::error_of([&] { join_most_similar_seed(as_mat(e), seeds, {}, -1, 0, 2.0); }),
           "background seeds' label");
}

// instances_from_embeddings with min_similarity: every mask is the plain one less its pixels at
// or past the form's distance from the seed (no spatial weight, so the split does not move).
TEST(InstancesFromEmbeddings, MinSimilarityDropsPixelsDissimilarToTheirSeed) {
  torch::manual_seed(41);
  const int h = 30, w = 40;
  const torch::Tensor e = torch::randn({4, h, w}) * 0.8;
  const std::vector<ObjectSeed> seeds = {{{5, 5}, 1, 0.9}, {{30, 20}, 1, 0.8}};
  const Rle region = Rle::from_mask(cv::Mat(h, w, CV_8U, cv::Scalar(1)));
  PredictOptions plain;
  plain.background_seed = 3;
  const auto before = instances_from_embeddings(as_mat(e), seeds, region, nullptr, plain);
  int dropped = 0;
  for (SimilarityForm form : {SimilarityForm::kExponential, SimilarityForm::kSigmoid}) {
    PredictOptions o = plain;
    o.min_similarity = 0.5;
    o.similarity_form = form;
    const double limit = squared_distance_at_similarity(0.5, form, 4);
    const auto after = instances_from_embeddings(as_mat(e), seeds, region, nullptr, o);
    ASSERT_EQ(after.size(), before.size());
    for (size_t k = 0; k < seeds.size(); ++k) {
      const cv::Mat was = before[k].mask.to_mask(), now = after[k].mask.to_mask();
      const cv::Point s = seeds[k].pixel;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          double d2 = 0;
          for (int d = 0; d < 4; ++d) {
            const double v = e[d][y][x].item<float>() - e[d][s.y][s.x].item<float>();
            d2 += v * v;
          }
          const bool keep = was.at<uint8_t>(y, x) && (d2 < limit || cv::Point(x, y) == s);
          ASSERT_EQ(now.at<uint8_t>(y, x) != 0, keep) << to_string(form) << " " << x << "," << y;
          dropped += was.at<uint8_t>(y, x) && !keep;
        }
      }
    }
  }
  EXPECT_GT(dropped, 50) << "the case should drop pixels in both forms";
}

// The form is the run's: train_options.similarity in the checkpoint's extra JSON.
TEST(TrainedModel, SimilarityFormComesFromTheTrainOptions) {
  const std::filesystem::path dir = test::temp_dir("similarity_form");
  WiseNetOptions options;
  options.num_classes = 1;
  options.embedding_dim = 4;
  WiseNet net(options);
  const std::string plain = (dir / "plain.ckpt").string(),
                    sigmoid = (dir / "sigmoid.ckpt").string(), bad = (dir / "bad.ckpt").string();
  save_checkpoint(plain, *net, nullptr, 1, {"cell"});
  save_checkpoint(sigmoid, *net, nullptr, 1, {"cell"},
                  R"({"train_options": {"similarity": "sigmoid"}})");
  save_checkpoint(bad, *net, nullptr, 1, {"cell"}, R"({"train_options": {"similarity": "cos"}})");
  EXPECT_EQ(load_trained_model(plain).similarity_form, SimilarityForm::kExponential);
  EXPECT_EQ(load_trained_model(sigmoid).similarity_form, SimilarityForm::kSigmoid);
  const std::string message = test::error_of([&] { load_trained_model(bad); });
  EXPECT_NE(message.find("bad.ckpt"), std::string::npos) << message;
  EXPECT_NE(message.find("cos"), std::string::npos) << message;
  EXPECT_EQ(test::count_lines(message + "\n"), 1) << message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
