#include "diffusion/diffusion_steps.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "diffusion/float32_ops.h"

namespace ltx2 {

namespace {

void check_same_shape(const char* what, const Tensor& a, const char* an, const Tensor& b, const char* bn) {
    LTX2_CHECK(a.shape() == b.shape(), "{}: {} shape {} differs from {} shape {}", what, an, shape_str(a.shape()), bn,
               shape_str(b.shape()));
}

// Elements of `x` per mask entry: 1 when the shapes match, else the trailing dim of `x`
// when the mask has that dim as 1.
int64_t mask_group(const char* what, const Tensor& x, const Tensor& mask) {
    if (mask.shape() == x.shape()) return 1;
    Shape expect = x.shape();
    LTX2_CHECK(!expect.empty(), "{}: scalar latent", what);
    expect.back() = 1;
    LTX2_CHECK(mask.shape() == expect, "{}: mask shape {} must be {} or {}", what, shape_str(mask.shape()),
               shape_str(x.shape()), shape_str(expect));
    return x.size(-1);
}

}  // namespace

Tensor to_velocity(const Tensor& sample, float sigma, const Tensor& denoised) {
    LTX2_CHECK(sigma != 0.0f, "to_velocity: sigma can't be 0");
    check_same_shape("to_velocity", sample, "sample", denoised, "denoised");
    const std::vector<float> x = sample.to_vector(), d = denoised.to_vector();
    std::vector<float> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = f32::div(f32::sub(x[i], d[i]), sigma);
    return Tensor::from_f32(sample.shape(), out);
}

Tensor euler_step(const Tensor& sample, const Tensor& denoised, const std::vector<float>& sigmas, int step_index) {
    LTX2_CHECK(step_index >= 0 && size_t(step_index) + 1 < sigmas.size(),
               "euler_step: step index {} out of range for {} sigmas (needs index + 1 < count)", step_index,
               sigmas.size());
    const float sigma = sigmas[size_t(step_index)], next = sigmas[size_t(step_index) + 1];
    const float dt = f32::sub(next, sigma);
    Tensor v = to_velocity(sample, sigma, denoised);
    const std::vector<float> x = sample.to_vector();
    float* pv = v.f32();
    for (size_t i = 0; i < x.size(); ++i) pv[i] = f32::add(x[i], f32::mul(pv[i], dt));
    return v;
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
    const std::vector<float> x = sample.to_vector(), d = denoised.to_vector(), n = noise.to_vector();
    std::vector<float> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const float stepped = add(mul(ratio, x[i]), mul(keep, d[i]));
        out[i] = add(mul(rescale, stepped), mul(mul(n[i], step.s_noise), renoise));
    }
    return Tensor::from_f32(sample.shape(), out);
}

Tensor timesteps_from_mask(const Tensor& denoise_mask, float sigma) {
    std::vector<float> m = denoise_mask.to_vector();
    for (float& v : m) v = f32::mul(v, sigma);
    return Tensor::from_f32(denoise_mask.shape(), m);
}

Tensor post_process_latent(const Tensor& denoised, const Tensor& denoise_mask, const Tensor& clean) {
    check_same_shape("post_process_latent", denoised, "denoised", clean, "clean");
    const int64_t g = mask_group("post_process_latent", denoised, denoise_mask);
    const std::vector<float> d = denoised.to_vector(), m = denoise_mask.to_vector(), c = clean.to_vector();
    std::vector<float> out(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
        const float mk = m[i / size_t(g)];
        out[i] = f32::add(f32::mul(d[i], mk), f32::mul(c[i], f32::sub(1.0f, mk)));
    }
    return Tensor::from_f32(denoised.shape(), out);
}

}  // namespace ltx2
