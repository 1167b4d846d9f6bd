#include "kernels/cpu/pointwise.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

// Applies f to every value of x (F32, contiguous, writable), in parallel for large tensors.
template <class F>
void map_inplace(Tensor& x, const char* op, F&& f) {
    LTX2_CHECK(x.defined() && x.dtype() == DType::F32, "{}: expected an F32 tensor, got {}", op,
               x.defined() ? dtype_name(x.dtype()) : "an undefined one");
    LTX2_CHECK(x.is_contiguous(), "{}: tensor {} must be contiguous", op, shape_str(x.shape()));
    LTX2_CHECK(x.storage()->writable(), "{}: tensor is read-only", op);
    float* p = x.f32();
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= (1 << 16) && !omp_in_parallel())
    for (int64_t i = 0; i < n; ++i) p[i] = f(p[i], i);
}

}  // namespace

void mul_scalar_inplace(Tensor& x, float s) {
    map_inplace(x, "mul_scalar", [s](float v, int64_t) { return v * s; });
}

void div_scalar_inplace(Tensor& x, float s) {
    map_inplace(x, "div_scalar", [s](float v, int64_t) { return v / s; });
}

void mul_inplace(Tensor& x, const Tensor& y) {
    LTX2_CHECK(y.defined() && y.dtype() == DType::F32 && y.shape() == x.shape(), "mul: y {} must be F32 of shape {}",
               y.defined() ? shape_str(y.shape()) : "undefined", shape_str(x.shape()));
    const Tensor yc = y.contiguous();
    const float* q = yc.f32();
    map_inplace(x, "mul", [q](float v, int64_t i) { return v * q[i]; });
}

Tensor weighted_sum(const Tensor& a_in, float alpha, const Tensor& b_in, float beta) {
    LTX2_CHECK(a_in.defined() && b_in.defined() && a_in.dtype() == DType::F32 && b_in.dtype() == DType::F32 &&
                   a_in.shape() == b_in.shape(),
               "weighted sum: a and b must be F32 tensors of one shape, got {} and {}",
               a_in.defined() ? shape_str(a_in.shape()) : "undefined", b_in.defined() ? shape_str(b_in.shape()) : "undefined");
    const Tensor a = a_in.contiguous(), b = b_in.contiguous();
    Tensor out = Tensor::empty(a.shape());
    const float* pa = a.f32();
    const float* pb = b.f32();
    float* o = out.f32();
    const int64_t n = out.numel();
#pragma omp parallel for schedule(static) if (n >= (1 << 16) && !omp_in_parallel())
    for (int64_t i = 0; i < n; ++i) o[i] = pa[i] * alpha + beta * pb[i];
    return out;
}

void exp_inplace(Tensor& x) {
    map_inplace(x, "exp", [](float v, int64_t) { return std::exp(v); });
}

void tanh_inplace(Tensor& x) {
    map_inplace(x, "tanh", [](float v, int64_t) { return std::tanh(v); });
}

void clamp_inplace(Tensor& x, float lo, float hi) {
    LTX2_CHECK(lo <= hi, "clamp: lower bound {} above upper bound {}", lo, hi);
    map_inplace(x, "clamp", [lo, hi](float v, int64_t) { return std::clamp(v, lo, hi); });
}

void log_clamped_inplace(Tensor& x, float floor) {
    map_inplace(x, "log_clamped", [floor](float v, int64_t) { return std::log(std::max(v, floor)); });
}

void round_to_bf16_inplace(Tensor& x) {
    map_inplace(x, "round_to_bf16", [](float v, int64_t) { return round_to_bf16(v); });
}

}  // namespace ltx2::cpu
