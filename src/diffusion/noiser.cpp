#include "diffusion/noiser.h"

#include "core/error.h"
#include "ops/noising.h"

namespace ltx2 {

NoisedLatent gaussian_noise_latent_with_noise(const Tensor& latent, const Tensor& denoise_mask, double noise_scale,
                                              TorchGenerator& generator, NoiseBlend blend,
                                              const Tensor& clean_latent) {
    const DType dt = latent.dtype();
    LTX2_CHECK(dt == DType::F32 || dt == DType::BF16,
               "gaussian_noise_latent: latent dtype {} is not supported (F32 or BF16)", dtype_name(dt));
    const Shape shape = latent.shape();
    NoisedLatent out;
    out.noise = generator.randn(shape, dt);
    const float scale = float(noise_scale);
    Tensor blended;
    if (blend == NoiseBlend::Lerp) {
        LTX2_CHECK(clean_latent.defined() && clean_latent.shape() == shape,
                   "gaussian_noise_latent: the lerp blend needs the clean latent of shape {}", shape_str(shape));
        blended = noise_blend_lerp(latent, out.noise, denoise_mask, scale, clean_latent);
    } else {
        blended = noise_blend_masked(latent, out.noise, denoise_mask, scale);
    }
    out.latent = dt == DType::F32 ? blended : blended.to(dt);
    return out;
}

Tensor gaussian_noise_latent(const Tensor& latent, const Tensor& denoise_mask, double noise_scale,
                             TorchGenerator& generator) {
    return gaussian_noise_latent_with_noise(latent, denoise_mask, noise_scale, generator).latent;
}

}  // namespace ltx2
