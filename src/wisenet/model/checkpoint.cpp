#include "wisenet/model/checkpoint.h"

#include <cstring>
#include <filesystem>
#include <sstream>

#include "wisenet/core/atomic_file.h"
#include "wisenet/core/error.h"
#include "wisenet/model/backbone_weights.h"

namespace wisenet {
namespace {

constexpr const char* kFormat = "wisenet-checkpoint";
constexpr int64_t kVersion = 1;

struct NamedState {
  std::string name;
  torch::Tensor tensor;
};

// Parameters then buffers, in registration order: the checkpoint's tensor order.
std::vector<NamedState> model_state(const WiseNetImpl& model) {
  std::vector<NamedState> out;
  for (const auto& item : model.named_parameters()) out.push_back({item.key(), item.value()});
  for (const auto& item : model.named_buffers()) out.push_back({item.key(), item.value()});
  return out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string tensor_key(size_t index) { return "t" + std::to_string(index); }

// The trailer after the archive: kTrailerMagic, then the FNV-1a 64 of the archive bytes
// (little-endian). torch's zip reader does not verify its CRCs, so a flipped byte inside a
// tensor would otherwise load as a silently different weight.
constexpr char kTrailerMagic[] = "WNCKSUM1";
constexpr size_t kTrailerMagicSize = 8;
constexpr size_t kTrailerSize = kTrailerMagicSize + sizeof(uint64_t);

uint64_t fnv1a64(const char* data, size_t size) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= static_cast<uint8_t>(data[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

// The archive bytes of a checkpoint file, after checking its trailer.
std::string verified_archive(const std::string& path, const std::string& bytes) {
  if (bytes.size() < kTrailerSize || bytes.compare(bytes.size() - kTrailerSize, kTrailerMagicSize,
                                                   kTrailerMagic, kTrailerMagicSize) != 0) {
    throw Error(path, "not a wisenet checkpoint or truncated (no checksum trailer)");
  }
  const size_t body = bytes.size() - kTrailerSize;
  uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body + kTrailerMagicSize, sizeof stored);
  if (stored != fnv1a64(bytes.data(), body)) {
    throw Error(path, "checkpoint checksum mismatch (file corrupt); not using it");
  }
  return bytes.substr(0, body);
}

// The whole archive in memory, its metadata parsed and checked.
struct LoadedCheckpoint {
  torch::serialize::InputArchive archive;
  nlohmann::json meta;
  CheckpointInfo info;
};

void load_archive(const std::string& path, LoadedCheckpoint& out) {
  if (!std::filesystem::is_regular_file(path)) throw Error(path, "checkpoint not found");
  std::istringstream archive_bytes(verified_archive(path, read_file(path)));
  try {
    out.archive.load_from(archive_bytes);
    c10::IValue format;
    c10::IValue meta_text;
    if (!out.archive.try_read("format", format) || !format.isString() ||
        format.toStringRef() != kFormat || !out.archive.try_read("meta", meta_text) ||
        !meta_text.isString()) {
      throw Error(path, "not a wisenet checkpoint");
    }
    out.meta = nlohmann::json::parse(meta_text.toStringRef());
    if (out.meta.at("version").get<int64_t>() != kVersion) {
      throw Error(path, "unsupported checkpoint version " + out.meta.at("version").dump());
    }
    out.info.options = options_from_json(out.meta.at("options"));
    out.info.class_names = out.meta.at("class_names").get<std::vector<std::string>>();
    out.info.step = out.meta.at("step").get<int64_t>();
    out.info.extra = out.meta.at("extra").get<std::string>();
    out.info.has_optimizer_state = out.meta.at("has_optimizer_state").get<bool>();
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.rfind(path, 0) == 0) throw;
    throw Error(path, "invalid checkpoint metadata: " + message);
  } catch (const c10::Error& e) {
    throw Error(path, "cannot read checkpoint (truncated or not a checkpoint): " +
                          first_line(e.what_without_backtrace()));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path, std::string("invalid checkpoint metadata: ") + e.what());
  }
}

// The first architectural difference between the checkpoint and the model, or "".
std::string architecture_difference(const LoadedCheckpoint& checkpoint, const WiseNetImpl& model) {
  const WiseNetOptions& saved = checkpoint.info.options;
  const WiseNetOptions& ours = model.options();
  if (saved.backbone != ours.backbone) {
    return "backbone is '" + saved.backbone + "' in the checkpoint, '" + ours.backbone +
           "' in the model";
  }
  if (saved.num_classes != ours.num_classes) {
    return "num_classes is " + std::to_string(saved.num_classes) + " in the checkpoint, " +
           std::to_string(ours.num_classes) + " in the model";
  }
  if (saved.embedding_dim != ours.embedding_dim) {
    return "embedding_dim is " + std::to_string(saved.embedding_dim) + " in the checkpoint, " +
           std::to_string(ours.embedding_dim) + " in the model";
  }
  if (saved.shared_backbone != ours.shared_backbone) {
    return std::string("shared_backbone is ") + (saved.shared_backbone ? "true" : "false") +
           " in the checkpoint, " + (ours.shared_backbone ? "true" : "false") + " in the model";
  }
  const nlohmann::json& saved_tensors = checkpoint.meta.at("tensors");
  const std::vector<NamedState> state = model_state(model);
  const size_t common = std::min(saved_tensors.size(), state.size());
  for (size_t i = 0; i < common; ++i) {
    const std::string saved_name = saved_tensors[i].at("name").get<std::string>();
    const auto saved_shape = saved_tensors[i].at("shape").get<std::vector<int64_t>>();
    if (saved_name != state[i].name) {
      return "tensor " + std::to_string(i) + " is '" + saved_name + "' in the checkpoint, '" +
             state[i].name + "' in the model";
    }
    if (c10::IntArrayRef(saved_shape) != state[i].tensor.sizes()) {
      return "'" + saved_name + "' has shape " + shape_string(saved_shape) +
             " in the checkpoint, " + shape_string(state[i].tensor.sizes()) + " in the model";
    }
  }
  if (saved_tensors.size() > common) {
    return "checkpoint has extra tensor '" + saved_tensors[common].at("name").get<std::string>() +
           "'";
  }
  if (state.size() > common) return "checkpoint lacks tensor '" + state[common].name + "'";
  return "";
}

}  // namespace

void save_checkpoint(const std::string& path, const WiseNetImpl& model,
                     const torch::optim::Optimizer* optimizer, int64_t step,
                     const std::vector<std::string>& class_names, const std::string& extra) {
  const std::vector<NamedState> state = model_state(model);
  nlohmann::json tensors = nlohmann::json::array();
  for (const NamedState& item : state) {
    tensors.push_back({{"name", item.name}, {"shape", item.tensor.sizes().vec()}});
  }
  const nlohmann::json meta = {{"version", kVersion},
                               {"options", options_to_json(model.options())},
                               {"class_names", class_names},
                               {"step", step},
                               {"extra", extra},
                               {"has_optimizer_state", optimizer != nullptr},
                               {"tensors", tensors}};
  std::ostringstream bytes;
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("meta", c10::IValue(meta.dump()));
    torch::serialize::OutputArchive tensor_archive;
    for (size_t i = 0; i < state.size(); ++i) {
      // detach: the archive must hold values, not autograd history or requires_grad flags.
      tensor_archive.write(tensor_key(i), state[i].tensor.detach());
    }
    archive.write("tensors", tensor_archive);
    if (optimizer != nullptr) {
      torch::serialize::OutputArchive optimizer_archive;
      optimizer->save(optimizer_archive);
      archive.write("optimizer", optimizer_archive);
    }
    archive.save_to(bytes);
  } catch (const c10::Error& e) {
    throw Error(path, "cannot serialise checkpoint: " + first_line(e.what_without_backtrace()));
  }
  std::string content = bytes.str();
  const uint64_t checksum = fnv1a64(content.data(), content.size());
  content.append(kTrailerMagic, kTrailerMagicSize);
  char checksum_bytes[sizeof checksum];
  std::memcpy(checksum_bytes, &checksum, sizeof checksum);
  content.append(checksum_bytes, sizeof checksum);
  write_file_atomic(path, content);
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  LoadedCheckpoint checkpoint;
  load_archive(path, checkpoint);
  return checkpoint.info;
}

CheckpointInfo load_checkpoint(const std::string& path, WiseNetImpl& model,
                               torch::optim::Optimizer* optimizer) {
  LoadedCheckpoint checkpoint;
  load_archive(path, checkpoint);
  const std::string difference = architecture_difference(checkpoint, model);
  if (!difference.empty()) throw Error(path, "architecture differs: " + difference);
  if (optimizer != nullptr && !checkpoint.info.has_optimizer_state) {
    throw Error(path, "checkpoint holds no optimizer state");
  }

  const std::vector<NamedState> state = model_state(model);
  std::vector<torch::Tensor> values(state.size());
  try {
    torch::serialize::InputArchive tensor_archive;
    checkpoint.archive.read("tensors", tensor_archive);
    for (size_t i = 0; i < state.size(); ++i) {
      tensor_archive.read(tensor_key(i), values[i]);
      if (values[i].sizes() != state[i].tensor.sizes()) {
        throw Error(path, "tensor '" + state[i].name + "' does not match its recorded shape");
      }
    }
    if (optimizer != nullptr) {
      torch::serialize::InputArchive optimizer_archive;
      checkpoint.archive.read("optimizer", optimizer_archive);
      optimizer->load(optimizer_archive);
    }
  } catch (const c10::Error& e) {
    throw Error(path, "cannot restore checkpoint: " + first_line(e.what_without_backtrace()));
  }
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < state.size(); ++i) state[i].tensor.copy_(values[i]);
  return checkpoint.info;
}

}  // namespace wisenet
