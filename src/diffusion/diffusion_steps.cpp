#include "diffusion/diffusion_steps.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "diffusion/float32_ops.h"
#include "ops/denoising.h"
#include "ops/pointwise.h"

namespace ltx2 {

namespace {

void check_same_shape(const char* what, const Tensor& a, const char* an, const Tensor& b, const char* bn) {
    LTX2_CHECK(a.shape() == b.shape(), "{}: {} shape {} differs from {} shape {}", what, an, shape_str(a.shape()), bn,
               shape_str(b.shape()));
}

// The mask must have x's shape, or that shape with the trailing dim 1 (one value per row).
void check_mask_shape(const char* what, const Tensor& x, const Tensor& mask) {
    if (mask.shape() == x.shape()) return;
    Shape expect = x.shape();
    LTX2_CHECK(!expect.empty(), "{}: scalar latent", what);
    expect.back() = 1;
    LTX2_CHECK(mask.shape() == expect, "{}: mask shape {} must be {} or {}", what, shape_str(mask.shape()),
               shape_str(x.shape()), shape_str(expect));
}

}  // namespace

Tensor to_velocity(const Tensor& sample, float sigma, const Tensor& denoised) {
    LTX2_CHECK(sigma != 0.0f, "to_velocity: sigma can't be 0");
    check_same_shape("to_velocity", sample, "sample", denoised, "denoised");
    return velocity_from_denoised(sample, denoised, sigma);
}

Tensor euler_step(const Tensor& sample, const Tensor& denoised, const std::vector<float>& sigmas, int step_index) {
    LTX2_CHECK(step_index >= 0 && size_t(step_index) + 1 < sigmas.size(),
               "euler_step: step index {} out of range for {} sigmas (needs index + 1 < count)", step_index,
               sigmas.size());
    const float sigma = sigmas[size_t(step_index)], next = sigmas[size_t(step_index) + 1];
    const float dt = f32::sub(next, sigma);
    return euler_update(sample, to_velocity(sample, sigma, denoised), dt);
}

Tensor euler_ancestral_step(const Tensor& sample, const Tensor& denoised, const std::vector<float>& sigmas,
                            int step_index, const Tensor& noise, const AncestralStep& step) {
    using namespace f32;
    LTX2_CHECK(step_index >= 0 && size_t(step_index) + 1 < sigmas.size(),
               "euler_ancestral_step: step index {} out of range for {} sigmas (needs index + 1 < count)", step_index,
               sigmas.size());
    check_same_shape("euler_ancestral_step", sample, "sample", denoised, "denoised");
    const float sigma = sigmas[size_t(step_index)], next = sigmas[size_t(step_index) + 1];
    if (next == 0.0f) return denoised.to(DType::F32).contiguous().clone();
    check_same_shape("euler_ancestral_step", sample, "sample", noise, "noise");
    const float down = mul(next, add(1.0f, mul(sub(div(next, sigma), 1.0f), step.eta)));
    const float ratio = div(down, sigma), keep = sub(1.0f, ratio);
    const float alpha_next = sub(1.0f, next), alpha_down = sub(1.0f, down);
    const float lowered = div(mul(mul(down, down), mul(alpha_next, alpha_next)), mul(alpha_down, alpha_down));
    const float renoise = std::sqrt(std::max(sub(mul(next, next), lowered), 0.0f));
    const float rescale = div(alpha_next, alpha_down);
    return ancestral_update(sample, denoised, noise,
                            {.sample_weight = ratio,
                             .denoised_weight = keep,
                             .rescale = rescale,
                             .noise_scale = step.s_noise,
                             .noise_weight = renoise});
}

Tensor timesteps_from_mask(const Tensor& denoise_mask, float sigma) {
    Tensor timesteps = denoise_mask.to(DType::F32).clone();
    mul_scalar_inplace(timesteps, sigma);
    return timesteps;
}

Tensor post_process_latent(const Tensor& denoised, const Tensor& denoise_mask, const Tensor& clean) {
    check_same_shape("post_process_latent", denoised, "denoised", clean, "clean");
    check_mask_shape("post_process_latent", denoised, denoise_mask);
    return masked_blend(denoised, denoise_mask, clean);
}

}  // namespace ltx2
