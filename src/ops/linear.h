#pragma once
// Dense products. Activations are float32; weights may be F32 or BF16.
#include "core/tensor.h"

namespace ltx2 {

// y[..., N] = x[..., K] · weight[N, K]ᵀ (+ bias[N]). x F32 contiguous; weight F32 or BF16;
// bias F32/BF16 or undefined. The products run at product_precision(weight.dtype())
// (core/precision.h): the execution's precision, whatever the weight's dtype. BF16: x and the
// weight are rounded to BF16 and accumulation is F32 (one rounding per linear, as torch's
// contiguous bf16 linear); F32: a BF16 weight is widened (exactly).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);
void linear_into(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y);
// C[M, N] = A[M, K] · B[K, N], each an F32 or BF16 2-D tensor with any row stride
// (innermost stride 1, or B transposed: stride(0) == 1). C is F32 and written in place.
void matmul(const Tensor& a, const Tensor& b, Tensor& c);

}  // namespace ltx2
