#pragma once
// Normalisations over the last dimension, statistics in F32; pixel_norm over the channel dimension.
#include "core/tensor.h"

namespace ltx2::cpu {

// y = x · rsqrt(mean(x²) + eps) (· weight when defined). x F32 [..., D]; weight F32/BF16 [D].
Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps);
void rms_norm_inplace(Tensor& x, const Tensor& weight, float eps);
// y = (x − mean) · rsqrt(var + eps), no affine (biased variance, as torch).
Tensor layer_norm(const Tensor& x, float eps);
// PixelNorm: y = x / sqrt(mean_c(x²) + eps) over dim 1 of x F32 [B, C, ...] (the mean of squares
// accumulated in double, its square root rounded to F32 before the division).
Tensor pixel_norm(const Tensor& x, double eps);

}  // namespace ltx2::cpu
