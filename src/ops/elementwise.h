#pragma once
// Pointwise ops (F32 tensors, contiguous, in place). Per-token rows: `rows` tensors have shape
// [B, T, D] or [B, 1, D] (broadcast over tokens).
#include "core/tensor.h"
#include "ops/op_params.h"

namespace ltx2 {

void gelu_tanh_inplace(Tensor& x);  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
void silu_inplace(Tensor& x);       // x·sigmoid(x)
void add_inplace(Tensor& x, const Tensor& y);  // x += y (same shape)
// x = x·(1 + scale) + shift; x [B, T, D]; scale/shift [B, T, D] or [B, 1, D] (may be strided rows).
void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift);
// x += y·gate; gate [B, T, D] or [B, 1, D].
void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate);
// The same with AdaLN values (ops/op_params.h): the same bits as materialising each value first
// (table[row] + mod, in f32) and passing it as a tensor, without that pass over B·T·D values.
void modulate_inplace(Tensor& x, const AdaValue& scale, const AdaValue& shift);
void add_gated_inplace(Tensor& x, const Tensor& y, const AdaValue& gate);

}  // namespace ltx2
