#pragma once
namespace wisenet {
// Sets libtorch's intra-op thread count and OpenCV's thread count to `threads`; 0 or less
// means every core of the machine. Returns the count set.
int set_threads(int threads);
}  // namespace wisenet
