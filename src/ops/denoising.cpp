#include "ops/denoising.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma) {
    return call_backend("velocity_from_denoised", {&sample, &denoised})->velocity_from_denoised(sample, denoised, sigma);
}

Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt) {
    return call_backend("euler_update", {&sample, &velocity})->euler_update(sample, velocity, dt);
}

Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise, const AncestralWeights& w) {
    return call_backend("ancestral_update", {&sample, &denoised, &noise})
        ->ancestral_update(sample, denoised, noise, w.sample_weight, w.denoised_weight, w.rescale, w.noise_scale,
                          w.noise_weight);
}


Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b) {
    return call_backend("masked_blend", {&a, &mask, &b})->masked_blend(a, mask, b);
}

}  // namespace ltx2
