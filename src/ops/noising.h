#pragma once
// Blending drawn noise into a latent where the denoise mask asks for it (ltx_core GaussianNoiser).
// latent, noise (and clean) the same shape, any float dtype; mask any float dtype, broadcastable
// to the latent (numpy rules, e.g. [B, T, 1] against [B, T, C]). Outputs F32 of the latent's
// shape, computed in float32.
#include "core/tensor.h"

namespace ltx2 {

// noise·(m·scale) + latent·(1 − m·scale), each product and sum rounded separately.
Tensor noise_blend_masked(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale);

// lerp(clean, lerp(latent, noise, scale), m), each lerp as torch's CPU kernel rounds it: one fused
// multiply-add from the nearer end (|w| < 0.5: start + w·(end − start), else end + (w − 1)·(end − start)).
Tensor noise_blend_lerp(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale,
                        const Tensor& clean);

}  // namespace ltx2
