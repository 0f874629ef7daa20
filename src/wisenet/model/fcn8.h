#pragma once
// FCN8: the decoder shared by L-Net and E-Net (wisenet.md §1).
#include <torch/torch.h>

#include <array>

#include "wisenet/model/backbone.h"

namespace wisenet {

// Three 1×1 score convolutions (with bias) on the stride-8/16/32 features. The stride-32 score
// is bilinearly upsampled (align_corners = true) to the stride-16 score's size and added; the
// sum is upsampled to the stride-8 size and added; that sum is upsampled to out_size.
// Contract: any feature sizes work (odd inputs give odd feature sizes; we upsample to the sizes
// the tensors actually have); output is N×out_channels×out_size[0]×out_size[1].
struct FCN8Impl : torch::nn::Module {
  FCN8Impl(std::array<int64_t, 3> in_channels, int64_t out_channels);
  torch::Tensor forward(const BackboneFeatures& features, std::array<int64_t, 2> out_size);
  // The stride-8 sum before the last upsampling: forward(f, size) = upsample_bilinear(grid(f),
  // size).
  torch::Tensor grid(const BackboneFeatures& features);

  torch::nn::Conv2d score8{nullptr}, score16{nullptr}, score32{nullptr};
};
TORCH_MODULE(FCN8);

// Bilinear upsampling with align_corners = true to size (h, w).
torch::Tensor upsample_bilinear(const torch::Tensor& x, std::array<int64_t, 2> size);

}  // namespace wisenet
