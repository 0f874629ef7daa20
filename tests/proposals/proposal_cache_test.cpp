#include "wisenet/proposals/proposal_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "synthetic_discs.h"
#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/proposals/selective_search.h"

namespace wisenet {
namespace {

// A generator that counts its calls and returns fixed proposals.
struct CountingGenerator {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  Proposals operator()(const cv::Mat& image, const ProposalOptions&) const {
    ++*calls;
    cv::Mat mask = cv::Mat::zeros(image.size(), CV_8U);
    mask(cv::Rect(1, 2, 3, 4)).setTo(1);
    cv::Mat other = cv::Mat::zeros(image.size(), CV_8U);
    other.at<uint8_t>(image.rows - 1, image.cols - 1) = 1;
    return {{Rle::from_mask(mask), 0.75}, {Rle::from_mask(other), 0.125}};
  }
};

cv::Mat image(int seed) {
  cv::Mat m(16, 12, CV_8UC3);
  cv::RNG random(static_cast<uint64_t>(seed));  // own generator: same seed, same image
  random.fill(m, cv::RNG::UNIFORM, cv::Scalar::all(seed), cv::Scalar::all(seed + 100));
  return m;
}

void expect_same(const Proposals& a, const Proposals& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].mask, b[i].mask);
    EXPECT_EQ(a[i].score, b[i].score);
  }
}

TEST(ProposalCache, SecondCallReadsTheEntry) {
  CountingGenerator generator;
  const ProposalCache cache(test::temp_dir("cache").string(), {}, generator);
  bool computed = false;
  const Proposals first = cache.get(image(1), &computed);
  EXPECT_TRUE(computed);
  EXPECT_TRUE(cache.has(image(1)));
  const Proposals second = cache.get(image(1), &computed);
  EXPECT_FALSE(computed);
  EXPECT_EQ(*generator.calls, 1);
  expect_same(first, second);
}

TEST(ProposalCache, RealGeneratorRoundTrips) {
  const auto scene = test::disc_scene(64, 5);
  const ProposalCache cache(test::temp_dir("cache").string(), {});
  const Proposals first = cache.get(scene.image);
  bool computed = true;
  const Proposals second = cache.get(scene.image, &computed);
  EXPECT_FALSE(computed);
  expect_same(first, second);
  expect_same(first, generate_proposals(scene.image));
}

TEST(ProposalCache, KeyDependsOnPixelsSizeAndOptions) {
  const std::string dir = test::temp_dir("cache").string();
  ProposalOptions other;
  other.max_proposals = 10;
  const ProposalCache a(dir, {}, CountingGenerator{}), b(dir, other, CountingGenerator{});
  cv::Mat changed = image(1).clone();
  changed.at<cv::Vec3b>(3, 3)[1] ^= 1;
  EXPECT_NE(a.entry_path(image(1)), a.entry_path(changed));
  EXPECT_NE(a.entry_path(image(1)), a.entry_path(image(1).reshape(3, 12)));
  EXPECT_NE(a.entry_path(image(1)), b.entry_path(image(1)));
  EXPECT_EQ(a.entry_path(image(1)), a.entry_path(image(1).clone()));
}

TEST(ProposalCache, CorruptEntryIsReportedAndRecomputed) {
  CountingGenerator generator;
  const ProposalCache cache(test::temp_dir("cache").string(), {}, generator);
  const Proposals original = cache.get(image(2));
  const std::string path = cache.entry_path(image(2));
  const std::string bytes = read_file(path);
  for (const std::string& broken :
       {bytes.substr(0, bytes.size() / 2), bytes.substr(0, 3), std::string()}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << broken;
    testing::internal::CaptureStderr();
    bool computed = false;
    const Proposals again = cache.get(image(2), &computed);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(computed);
    EXPECT_NE(err.find(path), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    expect_same(original, again);
  }
  // A flipped byte in the middle: bad checksum.
  std::string flipped = read_file(path);
  flipped[flipped.size() / 2] ^= 0x40;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  testing::internal::CaptureStderr();
  bool computed = false;
  expect_same(original, cache.get(image(2), &computed));
  EXPECT_NE(testing::internal::GetCapturedStderr().find("checksum"), std::string::npos);
  EXPECT_TRUE(computed);
  EXPECT_EQ(*generator.calls, 5);
  // And the rewritten entry is good again.
  cache.get(image(2), &computed);
  EXPECT_FALSE(computed);
}

TEST(ProposalEntry, DecodeChecksKey) {
  CountingGenerator generator;
  const Proposals proposals = generator(image(3), {});
  const std::string bytes = encode_proposal_entry(proposals, "opts", 42, 16, 12);
  expect_same(proposals, decode_proposal_entry(bytes, "opts", 42, 16, 12, "entry"));
  EXPECT_THROW(decode_proposal_entry(bytes, "other", 42, 16, 12, "entry"), Error);
  EXPECT_THROW(decode_proposal_entry(bytes, "opts", 43, 16, 12, "entry"), Error);
  EXPECT_THROW(decode_proposal_entry(bytes, "opts", 42, 12, 16, "entry"), Error);
}

}  // namespace
}  // namespace wisenet
