// Fuzz target: the checkpoint reader (read_checkpoint_info, then load_checkpoint into a small
// model with an Adam optimiser). The input is the archive; the target appends a valid
// checksum trailer (unless the first byte is 'R': then the input is the raw file), so the
// fuzzer reaches torch's archive reader and wisenet's metadata checks behind the checksum.
// wisenet::Error is the expected answer to bad input.
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "wisenet/core/error.h"
#include "wisenet/model/checkpoint.h"

namespace {
uint64_t fnv1a64(const uint8_t* data, size_t size) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 1099511628211ull;
  }
  return hash;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    static const std::string p = "/dev/shm/wisenet_fuzz_checkpoint_" + std::to_string(getpid());
    std::atexit([] { std::remove(p.c_str()); });  // a crash leaves it: the input that crashed
    return p;
  }();
  static wisenet::WiseNet model = [] {
    torch::set_num_threads(1);
    wisenet::WiseNetOptions options;
    options.embedding_dim = 4;
    return wisenet::WiseNet(options, /*load_backbone_weights=*/false);
  }();
  static torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!(size > 0 && data[0] == 'R')) {
      const uint64_t checksum = fnv1a64(data, size);
      out.write("WNCKSUM1", 8);
      out.write(reinterpret_cast<const char*>(&checksum), sizeof checksum);
    }
  }
  try {
    (void)wisenet::read_checkpoint_info(path);
    (void)wisenet::load_checkpoint(path, *model, &adam);
  } catch (const wisenet::Error&) {
  }
  return 0;
}
