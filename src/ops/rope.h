#pragma once
// Rotary position embeddings: LTX-2's tables from [start, end) position bounds, and the absolute
// 3-axis rotation of the LTX-2.5 DiffVAE.
#include <array>

#include "ops/op_params.h"

namespace ltx2 {

// positions [B, n_axes, T, 2] F32 or BF16; with BF16 positions the midpoint / ÷max_pos / ×2−1
// steps round to bf16 as the bf16 pipeline does.
RopeTable rope_table(const Tensor& positions, const RopeSpec& spec);
// Rotates q or k rows [B, T, dim] in place.
void rope_apply_inplace(Tensor& x, const RopeTable& table);

// Each head's channels are split in three chunks rotated by the frame, row and column index;
// inside a chunk of width d, the pair (2i, 2i + 1) turns by pos · θ^(−2i/d). Frequencies are
// computed in float64 and rounded to float32, angles are float32 products (as the reference's
// tables). x [B, T, H, W, heads·head_dim] F32 contiguous, rotated in place. split = (d_t, d_h, d_w),
// even and summing to head_dim. Frame and row positions are 0-based; column j has position
// w_position0 + j.
void rope_3axis_inplace(Tensor& x, int heads, const std::array<int, 3>& split, int64_t w_position0,
                        double theta = 10000.0);
// The reference's default split of a head: d_t = (head_dim/4) rounded down to even, the rest
// halved between rows and columns (d_t lowered by 2 when that half would be odd). head_dim % 8 == 0.
std::array<int, 3> rope_3axis_default_split(int head_dim);

}  // namespace ltx2
