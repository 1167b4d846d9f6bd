#include "ops/denoising.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma) {
    return backend_for("velocity_from_denoised", {&sample, &denoised}).velocity_from_denoised(sample, denoised, sigma);
}

Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt) {
    return backend_for("euler_update", {&sample, &velocity}).euler_update(sample, velocity, dt);
}

Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise, const AncestralWeights& w) {
    return backend_for("ancestral_update", {&sample, &denoised, &noise})
        .ancestral_update(sample, denoised, noise, w.sample_weight, w.denoised_weight, w.rescale, w.noise_scale,
                          w.noise_weight);
}

Tensor mul_scalar(const Tensor& x, float s) { return backend_for(x.device()).mul_scalar(x, s); }

Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b) {
    return backend_for("masked_blend", {&a, &mask, &b}).masked_blend(a, mask, b);
}

}  // namespace ltx2
