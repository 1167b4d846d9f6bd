#pragma once
// Normalisations over the last dimension, statistics in F32.
#include "core/tensor.h"

namespace ltx2 {

// y = x · rsqrt(mean(x²) + eps) (· weight when defined). x F32 [..., D]; weight F32/BF16 [D].
Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps);
void rms_norm_inplace(Tensor& x, const Tensor& weight, float eps);
// y = (x − mean) · rsqrt(var + eps), no affine (biased variance, as torch).
Tensor layer_norm(const Tensor& x, float eps);

}  // namespace ltx2
