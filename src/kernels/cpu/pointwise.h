#pragma once
// Pointwise maps of one contiguous, writable F32 tensor in place (ops/pointwise.h).
#include "core/tensor.h"

namespace ltx2::cpu {

void mul_scalar_inplace(Tensor& x, float s);
void div_scalar_inplace(Tensor& x, float s);
void mul_inplace(Tensor& x, const Tensor& y);
Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta);
void exp_inplace(Tensor& x);
void tanh_inplace(Tensor& x);
void clamp_inplace(Tensor& x, float lo, float hi);
void log_clamped_inplace(Tensor& x, float floor);
void round_to_bf16_inplace(Tensor& x);

}  // namespace ltx2::cpu
