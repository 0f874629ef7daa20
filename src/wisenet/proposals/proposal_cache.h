#pragma once
// ProposalCache: proposals computed once per image and kept on disk, so a second epoch or a
// second run never recomputes them.
//
// An entry is the file <dir>/<image hash>-<options hash>.wprop, keyed by the image content
// (size, type and pixels) and the generator options' text. Format (little-endian):
//   "WPRP1\n", u32 options-text length, options text, u64 image hash, i32 height, i32 width,
//   u32 n, n x (f64 score, u32 count length, counts as u32), u64 FNV-1a checksum of all before.
// Entries are written atomically (temporary file + rename). A corrupt entry (truncated, bad
// checksum, wrong key) is reported on stderr as one line naming the file and recomputed.
// Safe to use from several threads for different images.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <opencv2/core.hpp>

#include "wisenet/proposals/proposal.h"
#include "wisenet/proposals/proposal_options.h"

namespace wisenet {

// FNV-1a 64 of the image's size, type and pixels.
uint64_t image_content_hash(const cv::Mat& image);

// Entry file bytes and their parsing (exposed for tests). parse throws wisenet::Error naming
// `source` when the bytes are not a valid entry for (options_text, image_hash).
std::string encode_proposal_entry(const Proposals& proposals, const std::string& options_text,
                                  uint64_t image_hash, int height, int width);
Proposals decode_proposal_entry(const std::string& bytes, const std::string& options_text,
                                uint64_t image_hash, int height, int width,
                                const std::string& source);

class ProposalCache {
 public:
  using Generator = std::function<Proposals(const cv::Mat&, const ProposalOptions&)>;
  // Creates `dir` if needed. `generator` defaults to generate_proposals.
  ProposalCache(std::string dir, ProposalOptions options, Generator generator = nullptr);

  // The cached proposals of `rgb`, computing and storing them on a miss. `computed`, when
  // given, tells whether the generator ran.
  Proposals get(const cv::Mat& rgb, bool* computed = nullptr) const;
  // Whether a readable entry exists (does not validate its content).
  bool has(const cv::Mat& rgb) const;
  // Where the entry of `rgb` lives.
  std::string entry_path(const cv::Mat& rgb) const;

  const ProposalOptions& options() const { return options_; }

 private:
  std::string dir_;
  ProposalOptions options_;
  std::string options_text_;
  Generator generator_;
  // write_file_atomic's temporary name is per process: two threads storing the same entry
  // (duplicate images) must not write it at once.
  std::shared_ptr<std::mutex> write_mutex_ = std::make_shared<std::mutex>();
};

}  // namespace wisenet
