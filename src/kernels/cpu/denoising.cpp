#include "kernels/cpu/denoising.h"

#include "core/error.h"

namespace ltx2::cpu {

namespace {

void check_same_shape(const char* op, const Tensor& a, const char* an, const Tensor& b, const char* bn) {
    LTX2_CHECK(a.shape() == b.shape(), "{}: {} shape {} differs from {} shape {}", op, an, shape_str(a.shape()), bn,
               shape_str(b.shape()));
}

// out[i] = f(i) over a new F32 tensor of `shape`, in parallel.
template <class F>
Tensor pointwise(const Shape& shape, F&& f) {
    Tensor out = Tensor::empty(shape);
    float* o = out.f32();
    const int64_t n = out.numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) o[i] = f(i);
    return out;
}

}  // namespace

Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma) {
    check_same_shape("velocity_from_denoised", sample, "sample", denoised, "denoised");
    const Tensor xs = sample.to(DType::F32), ds = denoised.to(DType::F32);
    const float *x = xs.f32(), *d = ds.f32();
    return pointwise(sample.shape(), [&](int64_t i) { return (x[i] - d[i]) / sigma; });
}

Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt) {
    check_same_shape("euler_update", sample, "sample", velocity, "velocity");
    const Tensor xs = sample.to(DType::F32), vs = velocity.to(DType::F32);
    const float *x = xs.f32(), *v = vs.f32();
    return pointwise(sample.shape(), [&](int64_t i) { return x[i] + v[i] * dt; });
}

Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise, float sample_weight,
                        float denoised_weight, float rescale, float noise_scale, float noise_weight) {
    check_same_shape("ancestral_update", sample, "sample", denoised, "denoised");
    check_same_shape("ancestral_update", sample, "sample", noise, "noise");
    const Tensor xs = sample.to(DType::F32), ds = denoised.to(DType::F32), ns = noise.to(DType::F32);
    const float *x = xs.f32(), *d = ds.f32(), *n = ns.f32();
    return pointwise(sample.shape(), [&](int64_t i) {
        const float stepped = sample_weight * x[i] + denoised_weight * d[i];
        return rescale * stepped + n[i] * noise_scale * noise_weight;
    });
}

Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b) {
    check_same_shape("masked_blend", a, "a", b, "b");
    int64_t group = 1;  // elements of a per mask value
    if (mask.shape() != a.shape()) {
        Shape per_row = a.shape();
        LTX2_CHECK(!per_row.empty(), "masked_blend: scalar input");
        per_row.back() = 1;
        LTX2_CHECK(mask.shape() == per_row, "masked_blend: mask shape {} must be {} or {}", shape_str(mask.shape()),
                   shape_str(a.shape()), shape_str(per_row));
        group = a.size(-1);
    }
    const Tensor as = a.to(DType::F32), ms = mask.to(DType::F32), bs = b.to(DType::F32);
    const float *pa = as.f32(), *m = ms.f32(), *pb = bs.f32();
    return pointwise(a.shape(), [&](int64_t i) {
        const float mk = m[i / group];
        return pa[i] * mk + pb[i] * (1.0f - mk);
    });
}

}  // namespace ltx2::cpu
