#pragma once
// OpenCV's thread count alone, for programs without libtorch (wisenet-onnx); set_threads
// (threads.h) sets libtorch's as well.
namespace wisenet {
// Sets OpenCV's thread count to `threads`; 0 or less means every core of the machine. Returns
// the count set.
int set_opencv_threads(int threads);
}  // namespace wisenet
