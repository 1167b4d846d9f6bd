#pragma once
// The denoising loop's pointwise arithmetic. Inputs of any float dtype and strides are read as
// float32; outputs are new contiguous F32 tensors of the first input's shape. Every product and
// sum is its own float32 operation (no fused multiply-add), in the order written, as torch's.
#include "core/tensor.h"

namespace ltx2 {

// (sample − denoised) / sigma. Same shapes.
Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma);
// sample + velocity·dt. Same shapes.
Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt);
// rescale·(sample_weight·sample + denoised_weight·denoised) + (noise·noise_scale)·noise_weight.
// Same shapes.
struct AncestralWeights {
    float sample_weight, denoised_weight, rescale, noise_scale, noise_weight;
};
Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise, const AncestralWeights& w);
// a·m + b·(1 − m); a and b the same shape, mask m the same shape or that shape with its last
// dimension 1 (one value per row of a).
Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b);

}  // namespace ltx2
