// Blending overlapping video tiles (ops/tile_blend.h).
#include <algorithm>

#include "core/error.h"
#include "kernels/cpu/strided_rows.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

namespace {

const float* mask_values(const Tensor& m, int64_t n, const char* name) {
    LTX2_CHECK(m.defined() && m.dtype() == DType::F32 && m.dim() == 1 && m.size(0) == n && m.is_contiguous(),
               "masked tile accumulation: {} mask must be contiguous F32 [{}], got {}", name, n,
               m.defined() ? shape_str(m.shape()) : std::string("undefined"));
    return m.f32();
}

// weights[b', c', f, y, x] += (m_t[f] · m_h[y]) · m_w[x], once per element of weights.
void accumulate_weights(const Tensor& weights, const float* mt, const float* mh, const float* mw) {
    const int64_t B = weights.size(0), C = weights.size(1), F = weights.size(2), H = weights.size(3),
                  W = weights.size(4);
    float* base = weights.data<float>();
#pragma omp parallel for collapse(3) schedule(static) if (weights.numel() >= (1 << 16))
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t f = 0; f < F; ++f)
                for (int64_t y = 0; y < H; ++y) {
                    const float mth = mt[f] * mh[y];
                    float* wrow = base + b * weights.stride(0) + c * weights.stride(1) + f * weights.stride(2) +
                                  y * weights.stride(3);
                    for (int64_t x = 0; x < W; ++x) wrow[x] += mth * mw[x];
                }
}

}  // namespace

void accumulate_masked_tile(const Tensor& values, const Tensor& weights, const Tensor& tile_in, const Tensor& mask_t,
                            const Tensor& mask_h, const Tensor& mask_w, MaskProduct order) {
    const char* op = "masked tile accumulation";
    check_row_view(values, op, "values");
    LTX2_CHECK(values.dim() == 5, "{}: values must be [B, C, F, H, W], got {}", op, shape_str(values.shape()));
    const Shape shape = values.shape();
    LTX2_CHECK(tile_in.defined() && tile_in.dtype() == DType::F32 && tile_in.shape() == shape,
               "{}: tile {} does not match its place {}", op,
               tile_in.defined() ? shape_str(tile_in.shape()) : std::string("undefined"), shape_str(shape));
    const int64_t B = shape[0], C = shape[1], F = shape[2], H = shape[3], W = shape[4];
    const float* mt = mask_values(mask_t, F, "time");
    const float* mh = mask_values(mask_h, H, "row");
    const float* mw = mask_values(mask_w, W, "column");
    if (weights.defined()) {
        check_row_view(weights, op, "weights");
        LTX2_CHECK(weights.dim() == 5 && (weights.size(0) == 1 || weights.size(0) == B) &&
                       (weights.size(1) == 1 || weights.size(1) == C) && weights.size(2) == F &&
                       weights.size(3) == H && weights.size(4) == W,
                   "{}: weights {} do not fit values {}", op, shape_str(weights.shape()), shape_str(shape));
        accumulate_weights(weights, mt, mh, mw);
    }
    const Tensor tile = tile_in.contiguous();
    const float* src = tile.f32();
    float* base = values.data<float>();
    const bool of_mask = order == MaskProduct::OfMask;
#pragma omp parallel for collapse(3) schedule(static) if (values.numel() >= (1 << 16))
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t f = 0; f < F; ++f)
                for (int64_t y = 0; y < H; ++y) {
                    const float* s = src + (((b * C + c) * F + f) * H + y) * W;
                    float* v = base + b * values.stride(0) + c * values.stride(1) + f * values.stride(2) +
                               y * values.stride(3);
                    if (of_mask) {
                        const float mth = mt[f] * mh[y];
                        for (int64_t x = 0; x < W; ++x) v[x] += s[x] * (mth * mw[x]);
                    } else {
                        for (int64_t x = 0; x < W; ++x) v[x] += s[x] * mt[f] * mh[y] * mw[x];
                    }
                }
}

void divide_by_weights(const Tensor& values, const Tensor& weights, Tensor& out) {
    const char* op = "division by blend weights";
    LTX2_CHECK(values.defined() && values.dtype() == DType::F32 && values.dim() >= 1,
               "{}: values must be F32, got {}", op, values.defined() ? shape_str(values.shape()) : "undefined");
    const Shape shape = values.shape();
    LTX2_CHECK(weights.defined() && weights.dtype() == DType::F32 && broadcasts_to(weights, shape),
               "{}: weights {} do not broadcast to values {}", op,
               weights.defined() ? shape_str(weights.shape()) : std::string("undefined"), shape_str(shape));
    LTX2_CHECK(out.defined() && out.dtype() == DType::F32 && out.shape() == shape && out.is_contiguous() &&
                   out.storage()->writable(),
               "{}: out must be a writable contiguous F32 {}", op, shape_str(shape));
    LTX2_CHECK((values.stride(-1) == 1 || shape.back() == 1) && (weights.stride(-1) == 1 || weights.size(-1) == 1),
               "{}: values and weights need contiguous rows", op);
    const int64_t L = shape.back(), rows = L ? values.numel() / L : 0;
    const int64_t wstep = weights.size(-1) == 1 ? 0 : 1;
    const float* v_base = values.data<float>();
    const float* w_base = weights.data<float>();
    float* o = out.f32();
#pragma omp parallel for schedule(static) if (values.numel() >= (1 << 16))
    for (int64_t r = 0; r < rows; ++r) {
        const float* v = v_base + row_offset(values, shape, r);
        const float* w = w_base + row_offset(weights, shape, r);
        float* orow = o + r * L;
        for (int64_t i = 0; i < L; ++i) orow[i] = v[i] / std::max(w[i * wstep], 1e-8f);
    }
}

}  // namespace ltx2::cpu
