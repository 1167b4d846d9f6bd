#include "kernels/cpu/rows.h"

#include <omp.h>

#include <cmath>
#include <vector>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

constexpr int64_t kParallelMin = 1 << 15;

const float* f32_row(const Tensor& row, int64_t D, const char* op) {
    LTX2_CHECK(row.defined() && row.dtype() == DType::F32 && row.numel() == D && row.is_contiguous(),
               "{}: the row must be a contiguous F32 tensor of {} values, got {}", op, D,
               row.defined() ? shape_str(row.shape()) : "undefined");
    return row.f32();
}

void check_tokens(const Tensor& x, const char* op) {
    LTX2_CHECK(x.defined() && x.dtype() == DType::F32 && x.dim() == 3, "{}: x must be F32 [B, T, D], got {}", op,
               x.defined() ? shape_str(x.shape()) : "undefined");
}

}  // namespace

Tensor add_row(const Tensor& x, const Tensor& row) {
    check_tokens(x, "add_row");
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2);
    LTX2_CHECK(x.stride(2) == 1 || D == 1, "add_row: the last dimension of x {} must have stride 1",
               shape_str(x.shape()));
    const float* r = f32_row(row, D, "add_row");
    const float* src = x.data<float>();
    const int64_t sb = x.stride(0), st = x.stride(1);
    Tensor out = Tensor::empty({B, T, D});
    float* dst = out.f32();
#pragma omp parallel for schedule(static) if (B * T * D >= kParallelMin && !omp_in_parallel())
    for (int64_t bt = 0; bt < B * T; ++bt) {
        const float* s = src + (bt / T) * sb + (bt % T) * st;
        float* o = dst + bt * D;
        for (int64_t i = 0; i < D; ++i) o[i] = r[i] + s[i];
    }
    return out;
}

void add_row_where_inplace(Tensor& x, const Tensor& row, const Tensor& mask) {
    check_tokens(x, "add_row_where");
    LTX2_CHECK(x.is_contiguous() && x.storage()->writable(), "add_row_where: x {} must be contiguous and writable",
               shape_str(x.shape()));
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2);
    const float* r = f32_row(row, D, "add_row_where");
    LTX2_CHECK(mask.defined() && mask.numel() == B * T, "add_row_where: the mask {} must hold B·T = {} values",
               mask.defined() ? shape_str(mask.shape()) : "undefined", B * T);
    const std::vector<float> marks = mask.to_vector();
    float* p = x.f32();
#pragma omp parallel for schedule(static) if (B * T * D >= kParallelMin && !omp_in_parallel())
    for (int64_t bt = 0; bt < B * T; ++bt) {
        if (!(marks[size_t(bt)] > 0.0f)) continue;
        float* o = p + bt * D;
        for (int64_t i = 0; i < D; ++i) o[i] += r[i];
    }
}

void apply_head_gates_inplace(Tensor& x, Tensor& logits) {
    LTX2_CHECK(x.defined() && logits.defined() && x.dtype() == DType::F32 && logits.dtype() == DType::F32 &&
                   x.is_contiguous() && logits.is_contiguous(),
               "head gates: x and the logits must be contiguous F32 tensors");
    const int64_t heads = logits.size(-1), width = x.size(-1);
    const int64_t rows = width > 0 ? x.numel() / width : 0;
    LTX2_CHECK(heads > 0 && width % heads == 0 && logits.numel() == rows * heads,
               "head gates: logits {} do not give one gate per head of x {}", shape_str(logits.shape()),
               shape_str(x.shape()));
    const int64_t hd = width / heads;
    float* o = x.f32();
    float* g = logits.f32();
#pragma omp parallel for schedule(static) if (rows * width >= kParallelMin && !omp_in_parallel())
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t h = 0; h < heads; ++h) {
            const float gate = 2.0f / (1.0f + std::exp(-g[r * heads + h]));
            g[r * heads + h] = gate;
            float* row = o + r * width + h * hd;
            for (int64_t i = 0; i < hd; ++i) row[i] *= gate;
        }
}

Tensor denoised_from_velocity(const Tensor& latent, const Tensor& velocity, const Tensor& sigma) {
    LTX2_CHECK(latent.defined() && latent.dim() == 3, "denoised_from_velocity: latent must be [B, T, C], got {}",
               latent.defined() ? shape_str(latent.shape()) : "undefined");
    const int64_t b = latent.size(0), t = latent.size(1), ch = latent.size(2);
    LTX2_CHECK(velocity.shape() == latent.shape(),
               "denoised_from_velocity: velocity shape {} differs from latent shape {}", shape_str(velocity.shape()),
               shape_str(latent.shape()));
    LTX2_CHECK(sigma.numel() == b * t || sigma.numel() == b,
               "denoised_from_velocity: sigma shape {} is neither per token ({}) nor per sample ({})",
               shape_str(sigma.shape()), b * t, b);
    const int64_t per_sample = sigma.numel() / b;
    const Tensor xt = latent.to(DType::F32), vt = velocity.to(DType::F32), st = sigma.to(DType::F32);
    const float* x = xt.f32();
    const float* v = vt.f32();
    const float* s = st.f32();
    Tensor out = Tensor::empty(latent.shape());
    float* o = out.f32();
#pragma omp parallel for schedule(static) if (b * t * ch >= kParallelMin && !omp_in_parallel())
    for (int64_t row = 0; row < b * t; ++row) {
        const int64_t i = row / t, j = row % t;
        const float sg = s[per_sample == 1 ? i : i * t + j];
        const int64_t base = row * ch;
        for (int64_t k = 0; k < ch; ++k) o[base + k] = x[base + k] - v[base + k] * sg;
    }
    return out;
}

}  // namespace ltx2::cpu
