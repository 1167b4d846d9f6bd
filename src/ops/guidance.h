#pragma once
// The guiders' arithmetic (ltx_core.components.guiders): weighted differences of predictions,
// projections per sample and norms. Inputs of any float dtype and strides are read as float32;
// outputs are F32. Products and sums are float32 operations in the order written (no fused
// multiply-add); reductions accumulate in double, in element order, as noted.
#include <span>

#include "core/tensor.h"

namespace ltx2 {

// scale·(a − coef[s]·b) per sample s (dim 0); coef F32 [B], or undefined for scale·(a − b).
// a and b the same shape.
Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef = Tensor());

// cond + w₀·(cond − others₀) + w₁·(cond − others₁) + …, summed left to right; every other has
// cond's shape.
Tensor guidance_sum(const Tensor& cond, std::span<const float> weights, std::span<const Tensor> others);

// ⟨a, b⟩ / (‖b‖² + 1e-8) per sample (dim 0; dot and ‖b‖² accumulated in double, rounded to float32
// before the division): F32 [B]. a and b the same shape.
Tensor projection_coefficients(const Tensor& a, const Tensor& b);

// g · min(1, (1/‖g‖)·threshold) per consecutive group of `group` elements (‖g‖² accumulated in
// double, its square root rounded to float32). g F32 contiguous, numel a multiple of group.
void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold);

// (p·eta + (g − p))·scale with p = coef[s]·cond per sample s: the APG guider's blend of the
// parallel and orthogonal parts of g along cond. g and cond the same shape, coef F32 [B].
Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale);

// average = momentum·average + g. average F32 contiguous, g its shape.
void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum);

// pred ·= rescale·(std(reference)/std(pred)) + (1 − rescale), the standard deviations over all
// elements with N − 1 (mean and sum of squares in double, each std rounded to float32; rescale
// and 1 − rescale rounded from double). pred F32 contiguous, reference its shape, ≥ 2 elements.
void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale);

}  // namespace ltx2
