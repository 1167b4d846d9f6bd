#pragma once
// Pointwise kernels (F32 tensors, contiguous, in place unless noted). Per-token rows:
// `rows` tensors have shape [B, T, D] or [B, 1, D] (broadcast over tokens).
#include "core/tensor.h"
#include "ops/op_params.h"

namespace ltx2::cpu {

void gelu_tanh_inplace(Tensor& x);  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
void silu_inplace(Tensor& x);       // x·sigmoid(x)
void leaky_relu_inplace(Tensor& x, float slope);  // x where x >= 0, else slope·x
// One row in place (the caller parallelises over rows): x + inv_beta · sin(alpha · x)², SnakeBeta.
void snake_beta_row(float* row, int64_t n, float alpha, float inv_beta);
void add_inplace(Tensor& x, const Tensor& y);  // x += y (same shape)
// x = x·(1 + scale) + shift; x [B, T, D]; scale/shift [B, T, D] or [B, 1, D] (may be strided rows).
void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift);
// x += y·gate; gate [B, T, D] or [B, 1, D].
void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate);
// The same with AdaLN values (ops/op_params.h), each summed on the fly as add_row would: the same bits.
void modulate_inplace(Tensor& x, const AdaValue& scale, const AdaValue& shift);
void add_gated_inplace(Tensor& x, const Tensor& y, const AdaValue& gate);

}  // namespace ltx2::cpu
