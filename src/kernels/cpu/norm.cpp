#include "kernels/cpu/norm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/cpu_common.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/norm.cpp"
#include <hwy/foreach_target.h>

#include "kernels/cpu/simd.h"

HWY_BEFORE_NAMESPACE();
namespace ltx2::cpu::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// Σ x² over n floats (f32 accumulation, lane-parallel).
float sum_squares(const float* x, int64_t n) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    auto a0 = hn::Zero(d), a1 = hn::Zero(d);
    int64_t j = 0;
    for (; j + 2 * L <= n; j += 2 * L) {
        auto v0 = hn::LoadU(d, x + j), v1 = hn::LoadU(d, x + j + L);
        a0 = hn::MulAdd(v0, v0, a0);
        a1 = hn::MulAdd(v1, v1, a1);
    }
    float s = hn::GetLane(hn::SumOfLanes(d, hn::Add(a0, a1)));
    for (; j < n; ++j) s += x[j] * x[j];
    return s;
}

float sum_values(const float* x, int64_t n) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    auto a0 = hn::Zero(d), a1 = hn::Zero(d);
    int64_t j = 0;
    for (; j + 2 * L <= n; j += 2 * L) {
        a0 = hn::Add(a0, hn::LoadU(d, x + j));
        a1 = hn::Add(a1, hn::LoadU(d, x + j + L));
    }
    float s = hn::GetLane(hn::SumOfLanes(d, hn::Add(a0, a1)));
    for (; j < n; ++j) s += x[j];
    return s;
}

// y = (x − mean)·r (· w when given), in torch's order: (x·r)·w.
void scale_row(const float* x, float* y, int64_t n, float mean, float r, const float* w) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vr = hn::Set(d, r), vm = hn::Set(d, mean);
    int64_t j = 0;
    for (; j + L <= n; j += L) {
        auto v = hn::Mul(hn::Sub(hn::LoadU(d, x + j), vm), vr);
        if (w) v = hn::Mul(v, hn::LoadU(d, w + j));
        hn::StoreU(v, d, y + j);
    }
    for (; j < n; ++j) {
        float v = (x[j] - mean) * r;
        y[j] = w ? v * w[j] : v;
    }
}

// One row of RMS norm: y = x / √(mean(x²) + eps) (· w).
void RmsNormRow(const float* x, float* y, int64_t n, const float* w, float eps) {
    const float ms = sum_squares(x, n) / float(n);
    scale_row(x, y, n, 0.f, 1.0f / std::sqrt(ms + eps), w);
}

// One row of layer norm without affine terms: two-pass biased variance, as torch (the mean of
// squared deviations).
void LayerNormRow(const float* x, float* y, int64_t n, float eps) {
    const float mean = sum_values(x, n) / float(n);
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vm = hn::Set(d, mean);
    auto a0 = hn::Zero(d);
    int64_t j = 0;
    for (; j + L <= n; j += L) {
        auto c = hn::Sub(hn::LoadU(d, x + j), vm);
        a0 = hn::MulAdd(c, c, a0);
    }
    float ss = hn::GetLane(hn::SumOfLanes(d, a0));
    for (; j < n; ++j) ss += (x[j] - mean) * (x[j] - mean);
    const float var = ss / float(n);
    scale_row(x, y, n, mean, 1.0f / std::sqrt(var + eps), nullptr);
}

}  // namespace
}  // namespace ltx2::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ltx2::cpu {

HWY_EXPORT(RmsNormRow);
HWY_EXPORT(LayerNormRow);

namespace {

std::vector<float> weight_f32(const Tensor& weight, int64_t D, const char* what) {
    std::vector<float> w;
    if (!weight.defined()) return w;
    LTX2_CHECK(weight.numel() == D, "{}: weight {} does not match width {}", what, shape_str(weight.shape()), D);
    w = weight.to_vector();
    return w;
}

void rms_rows(const cpu::RowView& in, const cpu::RowView& out, const float* w, float eps) {
    const int64_t D = in.cols;
#pragma omp parallel for schedule(static) if (in.rows * D >= 16384)
    for (int64_t r = 0; r < in.rows; ++r) {
        const float* x = reinterpret_cast<const float*>(in.data) + r * in.ld;
        float* y = reinterpret_cast<float*>(out.data) + r * out.ld;
        LTX2_SIMD_DISPATCH(RmsNormRow)(x, y, D, w, eps);
    }
}

}  // namespace

Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) {
    LTX2_CHECK(x.dtype() == DType::F32, "rms_norm: input must be F32, got {}", dtype_name(x.dtype()));
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    cpu::RowView in = cpu::row_view(x, "rms_norm input"), out = cpu::row_view(y, "rms_norm output");
    auto w = weight_f32(weight, in.cols, "rms_norm");
    rms_rows(in, out, w.empty() ? nullptr : w.data(), eps);
    return y;
}

void rms_norm_inplace(Tensor& x, const Tensor& weight, float eps) {
    LTX2_CHECK(x.dtype() == DType::F32, "rms_norm: input must be F32, got {}", dtype_name(x.dtype()));
    cpu::RowView in = cpu::row_view(x, "rms_norm input");
    auto w = weight_f32(weight, in.cols, "rms_norm");
    rms_rows(in, in, w.empty() ? nullptr : w.data(), eps);
}

Tensor layer_norm(const Tensor& x, float eps) {
    LTX2_CHECK(x.dtype() == DType::F32, "layer_norm: input must be F32, got {}", dtype_name(x.dtype()));
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    cpu::RowView in = cpu::row_view(x, "layer_norm input"), out = cpu::row_view(y, "layer_norm output");
    const int64_t D = in.cols;
#pragma omp parallel for schedule(static) if (in.rows * D >= 16384)
    for (int64_t r = 0; r < in.rows; ++r) {
        const float* xr = reinterpret_cast<const float*>(in.data) + r * in.ld;
        float* yr = reinterpret_cast<float*>(out.data) + r * out.ld;
        LTX2_SIMD_DISPATCH(LayerNormRow)(xr, yr, D, eps);
    }
    return y;
}

Tensor pixel_norm(const Tensor& x_in, double eps) {
    LTX2_CHECK(x_in.dtype() == DType::F32 && x_in.dim() >= 2, "pixel_norm: input must be F32 [B, C, ...], got {} {}",
               dtype_name(x_in.dtype()), shape_str(x_in.shape()));
    const Tensor x = x_in.contiguous();
    Tensor out = Tensor::empty(x.shape());
    const int64_t B = x.size(0), C = x.size(1), S = x.numel() / std::max<int64_t>(B * C, 1);
    const float* src = x.f32();
    float* dst = out.f32();
    std::vector<double> acc(static_cast<size_t>(S));
    std::vector<float> rms(static_cast<size_t>(S));
    for (int64_t b = 0; b < B; ++b) {
        const float* xb = src + b * C * S;
        float* ob = dst + b * C * S;
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t c = 0; c < C; ++c)
            for (int64_t s = 0; s < S; ++s) acc[size_t(s)] += double(xb[c * S + s]) * xb[c * S + s];
        for (int64_t s = 0; s < S; ++s) rms[size_t(s)] = float(std::sqrt(acc[size_t(s)] / double(C) + eps));
        for (int64_t c = 0; c < C; ++c)
            for (int64_t s = 0; s < S; ++s) ob[c * S + s] = xb[c * S + s] / rms[size_t(s)];
    }
    return out;
}

}  // namespace ltx2::cpu
#endif  // HWY_ONCE
