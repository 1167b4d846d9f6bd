#pragma once
// Dense products through oneDNN. Activations are float32; weights may be F32 or BF16
// (quantized formats plug in here later, dispatched on the weight's dtype).
#include "core/precision.h"
#include "core/tensor.h"

namespace ltx2::cpu {

// y[..., N] = x[..., K] · weight[N, K]ᵀ (+ bias[N]). x F32 contiguous; weight F32 or BF16;
// bias F32/BF16 or undefined. Products at `precision`: BF16 rounds x (and an F32 weight, per
// call) to BF16 and accumulates in F32 (one rounding per linear, as torch's contiguous bf16
// linear); F32 widens a BF16 weight per call.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Precision precision);
void linear_into(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y, Precision precision);

// C[M, N] = A[M, K] · B[K, N], each an F32 or BF16 2-D tensor with any row stride
// (innermost stride 1, or B transposed: stride(0) == 1). C is F32 and written in place.
void matmul(const Tensor& a, const Tensor& b, Tensor& c);

}  // namespace ltx2::cpu
