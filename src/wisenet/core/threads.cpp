#include "wisenet/core/threads.h"

#include <torch/torch.h>

#include "wisenet/core/opencv_threads.h"

namespace wisenet {

int set_threads(int threads) {
  threads = set_opencv_threads(threads);
  torch::set_num_threads(threads);
  return threads;
}

}  // namespace wisenet
