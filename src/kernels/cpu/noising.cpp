#include "kernels/cpu/noising.h"

#include <cmath>
#include <vector>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

// torch.lerp(start, end, weight) of one float32 element, as its CPU kernel rounds it.
float torch_lerp(float start, float end, float weight) {
    const float diff = end - start;
    return std::fabs(weight) < 0.5f ? std::fmaf(weight, diff, start) : std::fmaf(weight - 1.0f, diff, end);
}

// Element strides (0 on broadcast dims) of `mask` seen with the shape `target`.
std::vector<int64_t> broadcast_strides(const char* op, const Shape& mask, const Shape& target) {
    LTX2_CHECK(mask.size() <= target.size(), "{}: denoise mask {} has more dims than latent {}", op, shape_str(mask),
               shape_str(target));
    std::vector<int64_t> strides(target.size(), 0);
    int64_t stride = 1;
    for (int i = int(mask.size()) - 1; i >= 0; --i) {
        const int ti = int(target.size()) - int(mask.size()) + i;
        LTX2_CHECK(mask[size_t(i)] == target[size_t(ti)] || mask[size_t(i)] == 1,
                   "{}: denoise mask {} does not broadcast to latent {}", op, shape_str(mask), shape_str(target));
        strides[size_t(ti)] = mask[size_t(i)] == 1 ? 0 : stride;
        stride *= mask[size_t(i)];
    }
    return strides;
}

// out[i] = blend(i, m) with m the mask value broadcast to element i; parallel over the latent's
// innermost rows.
template <class Blend>
Tensor blend_with_mask(const char* op, const Tensor& latent, const Tensor& noise, const Tensor& mask, Blend&& blend) {
    const Shape shape = latent.shape();
    LTX2_CHECK(noise.shape() == shape, "{}: noise shape {} differs from latent shape {}", op,
               shape_str(noise.shape()), shape_str(shape));
    const std::vector<int64_t> mstride = broadcast_strides(op, mask.shape(), shape);
    const Tensor ms = mask.to(DType::F32);
    const float* m = ms.f32();
    Tensor out = Tensor::empty(shape);
    float* o = out.f32();
    const int nd = int(shape.size());
    const int64_t cols = nd ? shape.back() : 1, rows = cols ? latent.numel() / cols : 0;
    const int64_t col_stride = nd ? mstride.back() : 0;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        int64_t moff = 0;
        for (int64_t d = nd - 2, rest = r; d >= 0; --d) {
            moff += (rest % shape[size_t(d)]) * mstride[size_t(d)];
            rest /= shape[size_t(d)];
        }
        for (int64_t c = 0; c < cols; ++c) o[r * cols + c] = blend(r * cols + c, m[moff + c * col_stride]);
    }
    return out;
}

}  // namespace

Tensor noise_blend_masked(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale) {
    const Tensor ls = latent.to(DType::F32), ns = noise.to(DType::F32);
    const float *lat = ls.f32(), *n = ns.f32();
    return blend_with_mask("noise_blend_masked", latent, noise, mask, [&](int64_t i, float mask_value) {
        const float m = mask_value * scale;
        const float keep = 1.0f - m;
        const float a = n[i] * m;
        const float b = lat[i] * keep;
        return a + b;
    });
}

Tensor noise_blend_lerp(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale,
                        const Tensor& clean) {
    LTX2_CHECK(clean.defined() && clean.shape() == latent.shape(),
               "noise_blend_lerp: the clean latent must have the latent's shape {}", shape_str(latent.shape()));
    const Tensor ls = latent.to(DType::F32), ns = noise.to(DType::F32), cs = clean.to(DType::F32);
    const float *lat = ls.f32(), *n = ns.f32(), *c = cs.f32();
    return blend_with_mask("noise_blend_lerp", latent, noise, mask, [&](int64_t i, float m) {
        return torch_lerp(c[i], torch_lerp(lat[i], n[i], scale), m);
    });
}

}  // namespace ltx2::cpu
