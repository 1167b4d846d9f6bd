#pragma once
// Decoded video to displayable pixels.
#include "core/tensor.h"

namespace ltx2 {

// v F32 [3, F, H, W] (any strides), values in [−1, 1] -> [F, H, W, 3] F32 in [0, 1]:
// y = clamp((x + 1) / 2, 0, 1), NaN -> 0.
Tensor unit_rgb_frames(const Tensor& v);

// x F32 in [0, 1] (any shape and strides) -> U8 of x's shape: uint8(x · 255), truncated.
Tensor unit_to_uint8(const Tensor& x);

}  // namespace ltx2
