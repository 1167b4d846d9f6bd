#pragma once
// Absolute 3-axis rotary embedding on channels-last video tokens (LTX-2.5 DiffVAE): each head's
// channels are split in three chunks rotated by the frame, row and column index; inside a
// chunk of width d, the pair (2i, 2i + 1) turns by pos · θ^(−2i/d): (a, b) -> (a·cos − b·sin,
// a·sin + b·cos). Frequencies are computed in float64 and rounded to float32, angles are float32
// products (as the reference's tables).
#include <array>
#include <cstdint>

#include "core/tensor.h"

namespace ltx2::cpu {

// x [B, T, H, W, heads·head_dim] F32 contiguous, rotated in place. split = (d_t, d_h, d_w), even
// and summing to head_dim. Frame and row positions are 0-based; column j has position w_position0 + j.
void rope_3axis_inplace(Tensor& x, int heads, const std::array<int, 3>& split, int64_t w_position0,
                        double theta = 10000.0);


}  // namespace ltx2::cpu
