#pragma once
// ltx_core GaussianNoiser: draws torch.randn(latent.shape, dtype=latent.dtype, generator) and
// blends it in where the denoise mask asks for noise (NoiseBlend). The generator continues
// across calls (the second call draws the next noise of the stream).
#include "core/tensor.h"
#include "core/torch_rng.h"

namespace ltx2 {

enum class NoiseBlend {
    // 28c3c73: latent = noise * (mask * noise_scale) + latent * (1 - mask * noise_scale)
    MaskTimesScale,
    // 400fd31: latent = lerp(clean, lerp(latent, noise, noise_scale), mask), each lerp rounded as
    // torch's vectorized CPU kernel does: one fused multiply-add from the nearer end.
    Lerp,
};

struct NoisedLatent {
    Tensor latent;  // the blended latent, in the latent's dtype
    Tensor noise;   // the draw, in the latent's dtype
};

// latent: any shape, F32 or BF16. denoise_mask: broadcastable to the latent (numpy rules, e.g.
// [B, T, 1] against [B, T, C]), any float dtype. The mask products are float32 (the mask is a
// float32 tensor times a Python float); with a float32 latent every step is a float32 torch op,
// bit for bit; a bf16 latent is blended in float32 and rounded once to bf16. clean_latent (the
// latent's shape) is read by NoiseBlend::Lerp only.
NoisedLatent gaussian_noise_latent_with_noise(const Tensor& latent, const Tensor& denoise_mask, double noise_scale,
                                              TorchGenerator& generator, NoiseBlend blend = NoiseBlend::MaskTimesScale,
                                              const Tensor& clean_latent = Tensor());
Tensor gaussian_noise_latent(const Tensor& latent, const Tensor& denoise_mask, double noise_scale,
                             TorchGenerator& generator);

}  // namespace ltx2
