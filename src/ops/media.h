#pragma once
// Conditioning pixels for the video VAE encoder: torch's bilinear resize of RGB frames and the
// mapping of 0..255 to [-1, 1].
#include <cstdint>

#include "core/tensor.h"

namespace ltx2 {

// Where the window of a resize is cut: frames resized to resized_h x resized_w, then the
// height x width window at (top, left).
struct ResizeWindow {
    int64_t resized_h, resized_w, top, left, height, width;
};

// U8 [F, H, W, 3] RGB frames -> F32 [1, 3, F, height, width]: torch's bilinear interpolation
// (align_corners=False, no antialiasing) to resized_h x resized_w in float32 on the 0..255 values,
// only the window computed. Index and weight arithmetic as torch's CPU kernels (scale =
// float(in)/out, source = scale·(o + 0.5) − 0.5 clamped at 0), every product and sum rounded
// separately; the four taps summed as torch's channels-last kernel when resized_h + resized_w
// <= 128 (corner weights h·w, left to right), else as its generic kernel (along the width first,
// then the two rows blended).
Tensor resize_bilinear_window(const Tensor& frames, const ResizeWindow& window);

// x / 127.5 − 1 in float32 (normalize_latent): F32 in, F32 out.
Tensor pixels_to_signed_unit(const Tensor& x);

}  // namespace ltx2
