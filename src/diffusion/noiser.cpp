#include "diffusion/noiser.h"

#include <cmath>
#include <vector>

#include "core/error.h"

// Each product and sum is its own float32 torch op: no FMA contraction (-march=native allows it).
#include "core/fp_contract_off.h"

namespace ltx2 {

namespace {

// Element strides (0 on broadcast dims) of `mask` seen with the shape `target`.
std::vector<int64_t> broadcast_strides(const Shape& mask, const Shape& target) {
    LTX2_CHECK(mask.size() <= target.size(), "gaussian_noise_latent: denoise mask {} has more dims than latent {}",
               shape_str(mask), shape_str(target));
    std::vector<int64_t> strides(target.size(), 0);
    int64_t stride = 1;
    for (int i = int(mask.size()) - 1; i >= 0; --i) {
        const int ti = int(target.size()) - int(mask.size()) + i;
        LTX2_CHECK(mask[size_t(i)] == target[size_t(ti)] || mask[size_t(i)] == 1,
                   "gaussian_noise_latent: denoise mask {} does not broadcast to latent {}", shape_str(mask),
                   shape_str(target));
        strides[size_t(ti)] = mask[size_t(i)] == 1 ? 0 : stride;
        stride *= mask[size_t(i)];
    }
    return strides;
}

}  // namespace

float torch_lerp(float start, float end, float weight) {
    const float diff = end - start;
    return std::fabs(weight) < 0.5f ? std::fmaf(weight, diff, start) : std::fmaf(weight - 1.0f, diff, end);
}

NoisedLatent gaussian_noise_latent_with_noise(const Tensor& latent, const Tensor& denoise_mask, double noise_scale,
                                              TorchGenerator& generator, NoiseBlend blend,
                                              const Tensor& clean_latent) {
    const DType dt = latent.dtype();
    LTX2_CHECK(dt == DType::F32 || dt == DType::BF16,
               "gaussian_noise_latent: latent dtype {} is not supported (F32 or BF16)", dtype_name(dt));
    const Shape shape = latent.shape();
    NoisedLatent out;
    out.noise = generator.randn(shape, dt);

    const std::vector<float> noise = out.noise.to_vector();
    const std::vector<float> lat = latent.to_vector();
    const std::vector<float> mask = denoise_mask.to_vector();
    const std::vector<int64_t> mstride = broadcast_strides(denoise_mask.shape(), shape);
    const float scale = float(noise_scale);
    const bool lerp = blend == NoiseBlend::Lerp;
    LTX2_CHECK(!lerp || (clean_latent.defined() && clean_latent.shape() == shape),
               "gaussian_noise_latent: the lerp blend needs the clean latent of shape {}", shape_str(shape));
    const std::vector<float> clean = lerp ? clean_latent.to_vector() : std::vector<float>();

    const int64_t n = latent.numel();
    std::vector<float> result(static_cast<size_t>(n));
    std::vector<int64_t> idx(shape.size(), 0);
    int64_t moff = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (lerp) {
            const float noised = torch_lerp(lat[size_t(i)], noise[size_t(i)], scale);
            result[size_t(i)] = torch_lerp(clean[size_t(i)], noised, mask[size_t(moff)]);
        } else {
            const float m = mask[size_t(moff)] * scale;
            const float keep = 1.0f - m;
            const float a = noise[size_t(i)] * m;
            const float b = lat[size_t(i)] * keep;
            result[size_t(i)] = a + b;
        }
        // advance the multi-index
        for (int d = int(shape.size()) - 1; d >= 0; --d) {
            moff += mstride[size_t(d)];
            if (++idx[size_t(d)] < shape[size_t(d)]) break;
            moff -= mstride[size_t(d)] * shape[size_t(d)];
            idx[size_t(d)] = 0;
        }
    }
    Tensor blended = Tensor::from_f32(shape, result);
    out.latent = dt == DType::F32 ? blended : blended.to(dt);
    return out;
}

Tensor gaussian_noise_latent(const Tensor& latent, const Tensor& denoise_mask, double noise_scale,
                             TorchGenerator& generator) {
    return gaussian_noise_latent_with_noise(latent, denoise_mask, noise_scale, generator).latent;
}

}  // namespace ltx2
