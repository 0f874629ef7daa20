#pragma once
// The smallest image WiseNet can train on. A training step forwards one image at a time
// (N = 1, images may differ in size), and a trainable BatchNorm needs more than one value per
// channel. The smallest feature map is the stride-32 one, ceil(H/32) x ceil(W/32) for every
// backbone (each stride-2 step, a padded 3x3 or 7x7 convolution or 3x3 max-pool, maps n to
// ceil(n/2)); so an image trains when H > 32 or W > 32. With frozen BatchNorm, and at
// inference (eval mode), any H, W >= 1 works: predict needs no minimum.
#include <string>

#include "wisenet/data/coco_json.h"

namespace wisenet {

// Side of the stride-32 feature map for an input side n >= 1 (all backbones): ceil(n / 32).
int stride32_side(int n);

// Whether a width x height image can take a training step with trainable BatchNorm: its
// stride-32 map holds at least two values.
bool trainable_size(int width, int height);

// Throws wisenet::Error naming the first image of `dataset` (path resolved by the usual rule
// with `image_dir`) that cannot be trained on, with its size and the smallest longer side that
// can: none when `bn_frozen`; with `scale_jitter` > 0 the image must still train at the
// smallest rescale factor 1 - scale_jitter. Sizes are the dataset's (match_image_sizes makes
// them the files'). Checked before training starts, so no step fails inside libtorch.
void check_trainable_sizes(const CocoDataset& dataset, const std::string& image_dir, bool bn_frozen,
                           double scale_jitter);

}  // namespace wisenet
