#pragma once
// Pointwise maps of one F32 tensor (contiguous, writable, in place) and the product of two. Each
// value is computed on its own, in float32 (std:: functions of float), as the reference's ops are.
#include "core/tensor.h"

namespace ltx2 {

void mul_scalar_inplace(Tensor& x, float s);  // x·s
// x / s: a division, not x·(1/s) (the two round differently).
void div_scalar_inplace(Tensor& x, float s);
void mul_inplace(Tensor& x, const Tensor& y);      // x·y, y F32 of x's shape
// a·alpha + beta·b, a and b F32 of one shape (any strides) → new contiguous F32.
Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta);
void exp_inplace(Tensor& x);                       // eˣ
void tanh_inplace(Tensor& x);                      // tanh(x)
void clamp_inplace(Tensor& x, float lo, float hi);  // min(max(x, lo), hi)
void leaky_relu_inplace(Tensor& x, float slope);   // x ≥ 0 ? x : x·slope
void log_clamped_inplace(Tensor& x, float floor);  // ln(max(x, floor))
// x rounded to the nearest bf16 value (ties to even, as torch casts), kept as F32.
void round_to_bf16_inplace(Tensor& x);

}  // namespace ltx2
