#pragma once
// The guiders' arithmetic on the CPU (ops/guidance.h): float32 without fused multiply-adds,
// reductions in double in element order.
#include <span>

#include "core/tensor.h"

namespace ltx2::cpu {

Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef);
Tensor guidance_sum(const Tensor& cond, std::span<const float> weights, std::span<const Tensor> others);
Tensor projection_coefficients(const Tensor& a, const Tensor& b);
void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold);
Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale);
void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum);
void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale);

}  // namespace ltx2::cpu
