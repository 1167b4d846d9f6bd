// Pointwise ops of the VAEs and the DiffVAE (ops/vae_pointwise.h).
#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

namespace {

constexpr int64_t kParallelMin = 1 << 16;

float* writable_f32(Tensor& x, const char* op) {
    LTX2_CHECK(x.defined() && x.dtype() == DType::F32 && x.is_contiguous() && x.storage()->writable(),
               "{}: x must be a writable contiguous F32 tensor, got {}", op,
               x.defined() ? shape_str(x.shape()) : std::string("undefined"));
    return x.f32();
}

Tensor f32_like(const Tensor& y, const Shape& shape, const char* op, const char* name) {
    LTX2_CHECK(y.defined() && y.dtype() == DType::F32 && y.shape() == shape, "{}: {} must be F32 {}, got {}", op, name,
               shape_str(shape), y.defined() ? shape_str(y.shape()) : std::string("undefined"));
    return y.contiguous();
}

}  // namespace

void scale_inplace(Tensor& x, float factor) {
    float* p = writable_f32(x, "scale");
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) p[i] *= factor;
}

void mul_inplace(Tensor& x, const Tensor& y_in) {
    float* a = writable_f32(x, "mul");
    const Tensor y = f32_like(y_in, x.shape(), "mul", "y");
    const float* b = y.f32();
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) a[i] *= b[i];
}

Tensor weighted_sum(const Tensor& a_in, float alpha, const Tensor& b_in, float beta) {
    LTX2_CHECK(a_in.defined(), "weighted sum: a is undefined");
    const Tensor a = f32_like(a_in, a_in.shape(), "weighted sum", "a");
    const Tensor b = f32_like(b_in, a_in.shape(), "weighted sum", "b");
    Tensor out = Tensor::empty(a.shape());
    const float* pa = a.f32();
    const float* pb = b.f32();
    float* o = out.f32();
    const int64_t n = out.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) o[i] = pa[i] * alpha + beta * pb[i];
    return out;
}

}  // namespace ltx2::cpu
