#pragma once
// The denoising-loop arithmetic: EulerDiffusionStep (ltx_core.components.diffusion_steps),
// to_velocity (ltx_core.utils) and the pipelines' helpers timesteps_from_mask and
// post_process_latent (ltx_pipelines.utils.helpers). All float32, torch's operation order.
// (to_denoised, the X0 formula, lives in models/transformer/model.h.)
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// (sample − denoised) / sigma, float32. Throws for sigma = 0.
Tensor to_velocity(const Tensor& sample, float sigma, const Tensor& denoised);

// EulerDiffusionStep().step: sample + to_velocity(sample, σ_i, denoised) · (σ_{i+1} − σ_i).
// 0 <= step_index < sigmas.size() − 1.
Tensor euler_step(const Tensor& sample, const Tensor& denoised, const std::vector<float>& sigmas, int step_index);

// EulerAncestralDiffusionStep(eta, s_noise).step (rectified flow, alpha = 1 − sigma), float32:
// with σ = σ_i, σn = σ_{i+1}: σd = σn · (1 + (σn/σ − 1)·eta); x = (σd/σ)·x + (1 − σd/σ)·denoised;
// then x = (αn/αd)·x + noise·s_noise·sqrt(max(σn² − σd²·αn²/αd², 0)) with αn = 1 − σn,
// αd = 1 − σd. The denoised sample itself when σn = 0 (noise unused). `noise` has the sample's
// shape.
struct AncestralStep {
    float eta = 1.0f, s_noise = 1.0f;
};
Tensor euler_ancestral_step(const Tensor& sample, const Tensor& denoised, const std::vector<float>& sigmas,
                            int step_index, const Tensor& noise, const AncestralStep& step = {});

// denoise_mask · sigma: the per-token timesteps the transformer gets.
Tensor timesteps_from_mask(const Tensor& denoise_mask, float sigma);

// denoised · mask + clean · (1 − mask); mask of the same shape or one value per token
// ([B, T, 1] against [B, T, C]).
Tensor post_process_latent(const Tensor& denoised, const Tensor& denoise_mask, const Tensor& clean);

}  // namespace ltx2
