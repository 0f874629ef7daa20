#include "wisenet/core/opencv_threads.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <thread>

namespace wisenet {

int set_opencv_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cv::setNumThreads(threads);
  return threads;
}

}  // namespace wisenet
