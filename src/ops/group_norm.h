#pragma once
// torch GroupNorm over 5-D feature maps (the latent upsampler's), with an optional fused SiLU.
#include "core/tensor.h"

namespace ltx2 {

// x [B, C, F, H, W] F32 contiguous, in place: for every statistics unit (sample b, group g of
// C / groups consecutive channels, and frame f when per_frame, else all frames),
// mean and biased variance of its values in double, then
// y = float(x · (rstd · weight[c]) + (bias[c] − mean · rstd · weight[c])), rstd = 1 / √(var + eps),
// followed by y = y / (1 + e^(−y)) when silu. weight, bias [C] (F32 or BF16).
// per_frame: statistics per frame, i.e. the layout "(b f) c h w" of a dims-2 model.
void group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps, bool per_frame,
                        bool silu);

}  // namespace ltx2
