#include "ops/noising.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor noise_blend_masked(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale) {
    return call_backend("noise_blend_masked", {&latent, &noise, &mask})->noise_blend_masked(latent, noise, mask, scale);
}

Tensor noise_blend_lerp(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale,
                        const Tensor& clean) {
    return call_backend("noise_blend_lerp", {&latent, &noise, &mask, &clean})
        ->noise_blend_lerp(latent, noise, mask, scale, clean);
}

}  // namespace ltx2
