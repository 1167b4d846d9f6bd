#pragma once
// Noise blending on the CPU (ops/noising.h).
#include "core/tensor.h"

namespace ltx2::cpu {

// noise·(m·scale) + latent·(1 − m·scale), mask broadcast to the latent.
Tensor noise_blend_masked(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale);
// lerp(clean, lerp(latent, noise, scale), m), torch's lerp rounding.
Tensor noise_blend_lerp(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale,
                        const Tensor& clean);

}  // namespace ltx2::cpu
