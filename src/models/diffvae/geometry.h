#pragma once
// Shape bookkeeping of the DiffVAE decode: the latent floor every stage's attention window
// needs, edge padding / cropping along one axis, and the channels-last pixel shuffle of the
// upsamplers.
#include <cstdint>

#include "core/tensor.h"
#include "models/diffvae/config.h"

namespace ltx2 {

// Elements added before / after the content along one axis.
struct AxisPad {
    int64_t before = 0, after = 0;
};

enum class AxisResize {
    RepeatLast,  // pad: append copies of the last slice; crop: drop from the end
    Symmetric,   // pad: need/2 copies of the first slice before, the rest of the last after
};

// x resized along `axis` to `size` (pad or crop, as `mode` says). Returns a contiguous F32 copy;
// `pad` (optional) receives what was added.
Tensor resize_axis(const Tensor& x, int axis, int64_t size, AxisResize mode, AxisPad* pad = nullptr);

// Per-axis latent floor (t, h, w): every stage's window fits inside its volume.
Int3 diffvae_min_latent_shape(const DiffVaeConfig& c);

// "b t h w (c p1 p2 p3) -> b (t p1) (h p2) (w p3) c" on x [B, T, H, W, C·P]; with a time
// stride of 2 the first output frame is dropped (the causal 1:2 frame mapping) unless
// drop_leading_frame is false (a tile that does not start at frame 0).
Tensor pixel_shuffle_channels_last(const Tensor& x, const Int3& stride, bool drop_leading_frame = true);

}  // namespace ltx2
