#include "wisenet/core/threads.h"

#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <thread>

namespace wisenet {

int set_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  cv::setNumThreads(threads);
  return threads;
}

}  // namespace wisenet
