#pragma once
// Conditioning pixels on the CPU (ops/media.h).
#include <cstdint>

#include "core/tensor.h"

namespace ltx2::cpu {

// U8 [F, H, W, 3] -> F32 [1, 3, F, height, width]: the window at (top, left) of the bilinear resize
// to resized_h x resized_w.
Tensor resize_bilinear_window(const Tensor& frames, int64_t resized_h, int64_t resized_w, int64_t top, int64_t left,
                              int64_t height, int64_t width);
Tensor pixels_to_signed_unit(const Tensor& x);  // x / 127.5 − 1

}  // namespace ltx2::cpu
