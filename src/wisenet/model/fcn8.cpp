#include "wisenet/model/fcn8.h"

namespace wisenet {

namespace nn = torch::nn;

FCN8Impl::FCN8Impl(std::array<int64_t, 3> in_channels, int64_t out_channels)
    : score8(register_module("score8", nn::Conv2d(nn::Conv2dOptions(in_channels[0], out_channels,
                                                                    /*kernel_size=*/1)))),
      score16(register_module("score16", nn::Conv2d(nn::Conv2dOptions(in_channels[1], out_channels,
                                                                      /*kernel_size=*/1)))),
      score32(register_module("score32", nn::Conv2d(nn::Conv2dOptions(in_channels[2], out_channels,
                                                                      /*kernel_size=*/1)))) {}

torch::Tensor upsample_bilinear(const torch::Tensor& x, std::array<int64_t, 2> size) {
  if (x.size(2) == size[0] && x.size(3) == size[1]) return x;
  return nn::functional::interpolate(x, nn::functional::InterpolateFuncOptions()
                                            .size(std::vector<int64_t>{size[0], size[1]})
                                            .mode(torch::kBilinear)
                                            .align_corners(true));
}

torch::Tensor FCN8Impl::forward(const BackboneFeatures& features, std::array<int64_t, 2> out_size) {
  return upsample_bilinear(grid(features), out_size);
}

torch::Tensor FCN8Impl::grid(const BackboneFeatures& features) {
  const torch::Tensor s8 = score8(features.stride8);
  const torch::Tensor s16 = score16(features.stride16);
  const torch::Tensor s32 = score32(features.stride32);
  const torch::Tensor sum16 = s16 + upsample_bilinear(s32, {s16.size(2), s16.size(3)});
  return s8 + upsample_bilinear(sum16, {s8.size(2), s8.size(3)});
}

}  // namespace wisenet
