#include "wisenet/proposals/proposal_cache.h"

#include <cstring>
#include <filesystem>
#include <iostream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/proposals/selective_search.h"

namespace wisenet {
namespace {

constexpr char kMagic[] = "WPRP1\n";
constexpr size_t kMagicSize = 6;

uint64_t fnv1a(const void* data, size_t size, uint64_t hash = 1469598103934665603ull) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

template <typename T>
void put(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

// Reads fixed-size values in order, failing cleanly on truncation.
class Reader {
 public:
  Reader(const std::string& bytes, size_t end, const std::string& source)
      : bytes_(bytes), end_(end), source_(source) {}
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string text(size_t size, const char* what) {
    need(size, what);
    std::string s = bytes_.substr(pos_, size);
    pos_ += size;
    return s;
  }
  size_t position() const { return pos_; }

 private:
  void need(size_t size, const char* what) {
    if (end_ - pos_ < size) throw Error(source_, std::string("truncated proposal entry at ") + what);
  }
  const std::string& bytes_;
  size_t end_;
  const std::string& source_;
  size_t pos_ = 0;
};

std::string hex(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

}  // namespace

uint64_t image_content_hash(const cv::Mat& image) {
  const int32_t header[3] = {image.rows, image.cols, image.type()};
  uint64_t hash = fnv1a(header, sizeof header);
  const size_t row_bytes = image.cols * image.elemSize();
  for (int y = 0; y < image.rows; ++y) hash = fnv1a(image.ptr(y), row_bytes, hash);
  return hash;
}

std::string encode_proposal_entry(const Proposals& proposals, const std::string& options_text,
                                  uint64_t image_hash, int height, int width) {
  std::string out(kMagic, kMagicSize);
  put<uint32_t>(&out, static_cast<uint32_t>(options_text.size()));
  out += options_text;
  put<uint64_t>(&out, image_hash);
  put<int32_t>(&out, height);
  put<int32_t>(&out, width);
  put<uint32_t>(&out, static_cast<uint32_t>(proposals.size()));
  for (const auto& p : proposals) {
    put<double>(&out, p.score);
    put<uint32_t>(&out, static_cast<uint32_t>(p.mask.counts().size()));
    for (uint32_t c : p.mask.counts()) put<uint32_t>(&out, c);
  }
  put<uint64_t>(&out, fnv1a(out.data(), out.size()));
  return out;
}

Proposals decode_proposal_entry(const std::string& bytes, const std::string& options_text,
                                uint64_t image_hash, int height, int width,
                                const std::string& source) {
  if (bytes.size() < kMagicSize + sizeof(uint64_t) ||
      bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    throw Error(source, "not a proposal cache entry (bad header or truncated)");
  }
  const size_t body = bytes.size() - sizeof(uint64_t);
  uint64_t stored_checksum;
  std::memcpy(&stored_checksum, bytes.data() + body, sizeof stored_checksum);
  if (stored_checksum != fnv1a(bytes.data(), body)) {
    throw Error(source, "proposal entry checksum mismatch (corrupt or truncated)");
  }
  Reader reader(bytes, body, source);
  reader.text(kMagicSize, "header");
  const auto text_size = reader.get<uint32_t>("options length");
  if (reader.text(text_size, "options") != options_text) {
    throw Error(source, "proposal entry was made with other options");
  }
  if (reader.get<uint64_t>("image hash") != image_hash) {
    throw Error(source, "proposal entry belongs to another image");
  }
  const auto h = reader.get<int32_t>("height");
  const auto w = reader.get<int32_t>("width");
  if (h != height || w != width) throw Error(source, "proposal entry has another image size");
  const auto n = reader.get<uint32_t>("count");
  Proposals proposals;
  for (uint32_t i = 0; i < n; ++i) {
    Proposal p;
    p.score = reader.get<double>("score");
    const auto size = reader.get<uint32_t>("counts length");
    if (size > body) throw Error(source, "proposal entry counts length out of range");
    std::vector<int64_t> counts(size);
    for (auto& c : counts) c = reader.get<uint32_t>("counts");
    p.mask = Rle::from_counts(height, width, counts, source + ": proposal " + std::to_string(i));
    proposals.push_back(std::move(p));
  }
  if (reader.position() != body) throw Error(source, "proposal entry has trailing bytes");
  return proposals;
}

ProposalCache::ProposalCache(std::string dir, ProposalOptions options, Generator generator)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      options_text_(options_.to_text()),
      generator_(generator ? std::move(generator) : Generator(generate_proposals)) {
  options_.validate();
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) throw Error(dir_, "cannot create proposal cache folder: " + error.message());
}

std::string ProposalCache::entry_path(const cv::Mat& rgb) const {
  const uint64_t options_hash = fnv1a(options_text_.data(), options_text_.size());
  return (std::filesystem::path(dir_) /
          (hex(image_content_hash(rgb)) + "-" + hex(options_hash) + ".wprop"))
      .string();
}

bool ProposalCache::has(const cv::Mat& rgb) const {
  return std::filesystem::is_regular_file(entry_path(rgb));
}

Proposals ProposalCache::get(const cv::Mat& rgb, bool* computed) const {
  const std::string path = entry_path(rgb);
  const uint64_t hash = image_content_hash(rgb);
  if (computed) *computed = false;
  if (std::filesystem::exists(path)) {
    try {
      return decode_proposal_entry(read_file(path), options_text_, hash, rgb.rows, rgb.cols,
                                   path);
    } catch (const Error& e) {
      std::cerr << "proposal cache: " << e.what() << "; recomputing\n";
    }
  }
  Proposals proposals = generator_(rgb, options_);
  if (computed) *computed = true;
  std::lock_guard<std::mutex> lock(*write_mutex_);
  write_file_atomic(path, encode_proposal_entry(proposals, options_text_, hash, rgb.rows,
                                                rgb.cols));
  return proposals;
}

}  // namespace wisenet
