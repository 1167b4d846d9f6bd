#include "kernels/cpu/elementwise.h"

#include <omp.h>

#include <cmath>

#include "core/error.h"
#include "kernels/cpu/cpu_common.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/elementwise.cpp"
#include <hwy/foreach_target.h>

#include "kernels/cpu/simd.h"

HWY_BEFORE_NAMESPACE();
namespace ltx2::cpu::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// Elements [b, e) of p: gelu with the tanh approximation.
void GeluTanhRange(float* p, int64_t b, int64_t e) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto k0 = hn::Set(d, 0.7978845608028654f);  // √(2/π)
    const auto k1 = hn::Set(d, 0.044715f);
    const auto half = hn::Set(d, 0.5f), one = hn::Set(d, 1.0f);
    int64_t i = b;
    for (; i + L <= e; i += L) {
        const auto v = hn::LoadU(d, p + i);
        const auto cube = hn::Mul(hn::Mul(v, v), v);
        const auto inner = hn::Mul(k0, hn::MulAdd(k1, cube, v));
        const auto t = hn::Tanh(d, inner);
        hn::StoreU(hn::Mul(hn::Mul(half, v), hn::Add(one, t)), d, p + i);
    }
    for (; i < e; ++i) {
        const float v = p[i];
        const float inner = 0.7978845608028654f * (v + 0.044715f * (v * v * v));
        p[i] = 0.5f * v * (1.0f + std::tanh(inner));
    }
}

void SiluRange(float* p, int64_t b, int64_t e) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto one = hn::Set(d, 1.0f);
    int64_t i = b;
    for (; i + L <= e; i += L) {
        const auto v = hn::LoadU(d, p + i);
        const auto den = hn::Add(one, hn::Exp(d, hn::Neg(v)));
        hn::StoreU(hn::Div(v, den), d, p + i);
    }
    for (; i < e; ++i) p[i] = p[i] / (1.0f + std::exp(-p[i]));
}

// x where x >= 0, else x·slope (so -0 stays -0, as the scalar form keeps it).
void LeakyReluRange(float* p, float slope, int64_t b, int64_t e) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto s = hn::Set(d, slope), zero = hn::Zero(d);
    int64_t i = b;
    for (; i + L <= e; i += L) {
        const auto v = hn::LoadU(d, p + i);
        hn::StoreU(hn::IfThenElse(hn::Ge(v, zero), v, hn::Mul(v, s)), d, p + i);
    }
    for (; i < e; ++i) p[i] = p[i] >= 0.f ? p[i] : p[i] * slope;
}

void SnakeBetaRow(float* p, int64_t n, float alpha, float inv_beta) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto a = hn::Set(d, alpha), ib = hn::Set(d, inv_beta);
    int64_t i = 0;
    for (; i + L <= n; i += L) {
        const auto v = hn::LoadU(d, p + i);
        const auto s = hn::Sin(d, hn::Mul(v, a));
        hn::StoreU(hn::Add(v, hn::Mul(ib, hn::Mul(s, s))), d, p + i);
    }
    for (; i < n; ++i) {
        const float s = std::sin(p[i] * alpha);
        p[i] = p[i] + inv_beta * (s * s);
    }
}

void AddRange(float* p, const float* q, int64_t b, int64_t e) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    int64_t i = b;
    for (; i + L <= e; i += L) hn::StoreU(hn::Add(hn::LoadU(d, p + i), hn::LoadU(d, q + i)), d, p + i);
    for (; i < e; ++i) p[i] += q[i];
}

// Values [j, j + lanes) of a per-token operand: its row r, or for an AdaLN value (kTable) the f32
// sum table + r, as add_row computed it before the op.
template <bool kTable, class DF>
HWY_INLINE hn::Vec<DF> OperandAt(DF d, const float* table, const float* r, int64_t j) {
    if constexpr (kTable)
        return hn::Add(hn::LoadU(d, table + j), hn::LoadU(d, r + j));
    else
        return hn::LoadU(d, r + j);
}

template <bool kTable>
HWY_INLINE float OperandAt(const float* table, const float* r, int64_t j) {
    if constexpr (kTable)
        return table[j] + r[j];
    else
        return r[j];
}

// torch: x * (1 + scale) + shift (two roundings: the product, then the sum).
template <bool kTable>
HWY_INLINE void ModulateRowOf(float* xr, const float* st, const float* s, const float* ht, const float* h,
                              int64_t D) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto one = hn::Set(d, 1.0f);
    int64_t j = 0;
    for (; j + L <= D; j += L) {
        const auto v = hn::Mul(hn::LoadU(d, xr + j), hn::Add(one, OperandAt<kTable>(d, st, s, j)));
        hn::StoreU(hn::Add(v, OperandAt<kTable>(d, ht, h, j)), d, xr + j);
    }
    for (; j < D; ++j) xr[j] = xr[j] * (1.0f + OperandAt<kTable>(st, s, j)) + OperandAt<kTable>(ht, h, j);
}

// st, ht: the table rows of AdaLN values scale and shift, or both null for plain rows.
void ModulateRow(float* xr, const float* st, const float* s, const float* ht, const float* h, int64_t D) {
    if (st)
        ModulateRowOf<true>(xr, st, s, ht, h, D);
    else
        ModulateRowOf<false>(xr, st, s, ht, h, D);
}

template <bool kTable>
HWY_INLINE void AddGatedRowOf(float* xr, const float* yv, const float* gt, const float* gv, int64_t D) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    int64_t j = 0;
    for (; j + L <= D; j += L) {
        const auto prod = hn::Mul(hn::LoadU(d, yv + j), OperandAt<kTable>(d, gt, gv, j));
        hn::StoreU(hn::Add(hn::LoadU(d, xr + j), prod), d, xr + j);
    }
    for (; j < D; ++j) xr[j] += yv[j] * OperandAt<kTable>(gt, gv, j);
}

// gt: the table row of an AdaLN gate, or null for a plain row.
void AddGatedRow(float* xr, const float* yv, const float* gt, const float* gv, int64_t D) {
    if (gt)
        AddGatedRowOf<true>(xr, yv, gt, gv, D);
    else
        AddGatedRowOf<false>(xr, yv, gt, gv, D);
}

}  // namespace
}  // namespace ltx2::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ltx2::cpu {

HWY_EXPORT(GeluTanhRange);
HWY_EXPORT(SiluRange);
HWY_EXPORT(LeakyReluRange);
HWY_EXPORT(SnakeBetaRow);
HWY_EXPORT(AddRange);
HWY_EXPORT(ModulateRow);
HWY_EXPORT(AddGatedRow);

namespace {

constexpr int64_t kParallelMin = 1 << 15;

template <class F>
void for_chunks(int64_t n, F&& body) {
    if (n < kParallelMin || omp_in_parallel()) {
        body(int64_t(0), n);
        return;
    }
#pragma omp parallel
    {
        const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
        const int64_t chunk = ((n + nt - 1) / nt + 63) & ~int64_t(63);
        const int64_t b = std::min(n, chunk * t), e = std::min(n, b + chunk);
        if (b < e) body(b, e);
    }
}

float* contiguous_f32(Tensor& x, const char* what) {
    LTX2_CHECK(x.dtype() == DType::F32, "{}: expected F32, got {}", what, dtype_name(x.dtype()));
    LTX2_CHECK(x.is_contiguous(), "{}: tensor {} must be contiguous", what, shape_str(x.shape()));
    LTX2_CHECK(x.storage()->writable(), "{}: tensor is read-only", what);
    return x.f32();
}

// Per-token rows of a [B, T, D] / [B, 1, D] operand (any batch / token stride, unit last stride);
// for an AdaLN value, the rows of its modulation chunk and the table row they add to.
struct Rows {
    const float* data = nullptr;
    int64_t B = 0, T = 0, D = 0, sb = 0, st = 0;
    Tensor table_row;              // AdaLN value: table[row] as F32, else undefined
    const float* table = nullptr;  // its data
    const float* row(int64_t b, int64_t t) const { return data + b * sb + (T == 1 ? 0 : t * st); }
};

Rows rows_of(const Tensor& r, int64_t B, int64_t T, int64_t D, const char* what) {
    LTX2_CHECK(r.defined() && r.dtype() == DType::F32, "{}: expected an F32 tensor", what);
    Rows o;
    // Accept [B, T, D], [B, 1, D], and [1, ...] batch broadcast.
    LTX2_CHECK(r.dim() == 3 && r.size(2) == D && (r.size(1) == T || r.size(1) == 1) &&
                   (r.size(0) == B || r.size(0) == 1),
               "{}: shape {} does not broadcast to ({}, {}, {})", what, shape_str(r.shape()), B, T, D);
    LTX2_CHECK(r.stride(2) == 1 || D == 1, "{}: last dimension must have stride 1", what);
    o.data = r.data<float>();
    o.B = r.size(0);
    o.T = r.size(1);
    o.D = D;
    o.sb = r.size(0) == 1 ? 0 : r.stride(0);
    o.st = r.stride(1);
    return o;
}

Rows rows_of(const AdaValue& v, int64_t B, int64_t T, int64_t D, const char* what) {
    const Tensor &table = v.table, &mod = v.mod;
    LTX2_CHECK(table.defined() && (table.dtype() == DType::F32 || table.dtype() == DType::BF16) &&
                   table.dim() == 2 && table.size(1) == D,
               "{}: the AdaLN table {} must be F32 or BF16 of shape (rows, {})", what,
               table.defined() ? shape_str(table.shape()) : "undefined", D);
    LTX2_CHECK(v.row >= 0 && v.row < table.size(0), "{}: row {} is outside the AdaLN table {}", what, v.row,
               shape_str(table.shape()));
    LTX2_CHECK(mod.defined() && mod.dtype() == DType::F32 && mod.dim() == 3,
               "{}: the modulation {} must be F32 of shape ({} or 1, {} or 1, n·{})", what,
               mod.defined() ? shape_str(mod.shape()) : "undefined", B, T, D);
    LTX2_CHECK((mod.size(0) == B || mod.size(0) == 1) && (mod.size(1) == T || mod.size(1) == 1),
               "{}: the modulation {} does not broadcast to ({}, {}, n·{})", what, shape_str(mod.shape()), B, T, D);
    LTX2_CHECK(v.chunk >= 0 && (v.chunk + 1) * D <= mod.size(2),
               "{}: the modulation {} has no chunk {} of width {} (its last dimension must be at least {})", what,
               shape_str(mod.shape()), v.chunk, D, (int64_t(v.chunk) + 1) * D);
    Rows o = rows_of(mod.slice(2, v.chunk * D, (v.chunk + 1) * D), B, T, D, what);
    o.table_row = table.select(0, v.row).to(DType::F32);
    o.table = o.table_row.data<float>();
    return o;
}

void check_x3(Tensor& x, const char* what, int64_t& B, int64_t& T, int64_t& D) {
    contiguous_f32(x, what);
    LTX2_CHECK(x.dim() == 3, "{}: x must be [B, T, D], got {}", what, shape_str(x.shape()));
    B = x.size(0);
    T = x.size(1);
    D = x.size(2);
}

// Runs fn(x_row, b, t) over the B·T rows, in parallel for large tensors.
template <class F>
void for_rows(int64_t B, int64_t T, int64_t D, F&& fn) {
    const int64_t n = B * T;
#pragma omp parallel for schedule(static) if (n * D >= kParallelMin && !omp_in_parallel())
    for (int64_t i = 0; i < n; ++i) fn(i / T, i % T);
}

}  // namespace

void gelu_tanh_inplace(Tensor& x) {
    float* p = contiguous_f32(x, "gelu_tanh");
    for_chunks(x.numel(), [p](int64_t b, int64_t e) { LTX2_SIMD_DISPATCH(GeluTanhRange)(p, b, e); });
}

void silu_inplace(Tensor& x) {
    float* p = contiguous_f32(x, "silu");
    for_chunks(x.numel(), [p](int64_t b, int64_t e) { LTX2_SIMD_DISPATCH(SiluRange)(p, b, e); });
}

void leaky_relu_inplace(Tensor& x, float slope) {
    float* p = contiguous_f32(x, "leaky_relu");
    for_chunks(x.numel(), [p, slope](int64_t b, int64_t e) { LTX2_SIMD_DISPATCH(LeakyReluRange)(p, slope, b, e); });
}

void snake_beta_row(float* p, int64_t n, float alpha, float inv_beta) {
    LTX2_SIMD_DISPATCH(SnakeBetaRow)(p, n, alpha, inv_beta);
}

void add_inplace(Tensor& x, const Tensor& y) {
    float* p = contiguous_f32(x, "add");
    LTX2_CHECK(y.dtype() == DType::F32 && y.shape() == x.shape(), "add: y {} must be F32 of shape {}",
               shape_str(y.shape()), shape_str(x.shape()));
    Tensor yc = y.contiguous();
    const float* q = yc.f32();
    for_chunks(x.numel(), [p, q](int64_t b, int64_t e) { LTX2_SIMD_DISPATCH(AddRange)(p, q, b, e); });
}

namespace {

// Operand: a Tensor of rows or an AdaValue; rows_of reads either.
template <class Operand>
void modulate_by(Tensor& x, const Operand& scale, const Operand& shift) {
    int64_t B, T, D;
    check_x3(x, "modulate", B, T, D);
    const Rows sc = rows_of(scale, B, T, D, "modulate scale"), sh = rows_of(shift, B, T, D, "modulate shift");
    float* xd = x.f32();
    for_rows(B, T, D, [&](int64_t b, int64_t t) {
        float* xr = xd + (b * T + t) * D;
        LTX2_SIMD_DISPATCH(ModulateRow)(xr, sc.table, sc.row(b, t), sh.table, sh.row(b, t), D);
    });
}

template <class Operand>
void add_gated_by(Tensor& x, const Tensor& y, const Operand& gate) {
    int64_t B, T, D;
    check_x3(x, "add_gated", B, T, D);
    LTX2_CHECK(y.dtype() == DType::F32 && y.shape() == x.shape(), "add_gated: y {} must be F32 of shape {}",
               shape_str(y.shape()), shape_str(x.shape()));
    const Rows yr = rows_of(y, B, T, D, "add_gated y"), g = rows_of(gate, B, T, D, "add_gated gate");
    float* xd = x.f32();
    for_rows(B, T, D, [&](int64_t b, int64_t t) {
        float* xr = xd + (b * T + t) * D;
        LTX2_SIMD_DISPATCH(AddGatedRow)(xr, yr.row(b, t), g.table, g.row(b, t), D);
    });
}

}  // namespace

void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) { modulate_by(x, scale, shift); }

void modulate_inplace(Tensor& x, const AdaValue& scale, const AdaValue& shift) { modulate_by(x, scale, shift); }

void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate) { add_gated_by(x, y, gate); }

void add_gated_inplace(Tensor& x, const Tensor& y, const AdaValue& gate) { add_gated_by(x, y, gate); }

}  // namespace ltx2::cpu
#endif  // HWY_ONCE
