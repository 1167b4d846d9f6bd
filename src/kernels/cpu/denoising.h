#pragma once
// The denoising loop's pointwise arithmetic on the CPU (ops/denoising.h): float32, no fused
// multiply-adds, parallel over elements.
#include "core/tensor.h"

namespace ltx2::cpu {

Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma);  // (x − d)/σ
Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt);              // x + v·dt
// rescale·(sample_weight·x + denoised_weight·d) + (noise·noise_scale)·noise_weight
Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise, float sample_weight,
                        float denoised_weight, float rescale, float noise_scale, float noise_weight);
Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b);  // a·m + b·(1 − m)

}  // namespace ltx2::cpu
