#include "kernels/cpu/attention.h"

// GCC 12 reports its own AVX-512 intrinsic headers (undefined pass-through operands).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <immintrin.h>

#include "core/error.h"
#include "kernels/cpu/cpu_common.h"
#include "kernels/cpu/simd.h"

namespace ltx2 {

namespace hn = hwy::HWY_NAMESPACE;
using dt = dnnl::memory::data_type;

namespace {

int g_block_rows = 0;  // 0: automatic

int block_rows(int64_t tq) {
    int mb = g_block_rows;
    if (mb <= 0) {
        static int env = [] {
            const char* e = std::getenv("LTX2_ATTN_BLOCK");
            return e ? std::atoi(e) : 0;
        }();
        mb = env > 0 ? env : 64;
    }
    if (tq < mb) mb = int((tq + 15) / 16 * 16);
    return std::max(mb, 1);
}

// Row max of s·scale + bias.
float row_max(const float* s, const float* bias, int64_t n, float scale) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vs = hn::Set(d, scale);
    auto m0 = hn::Set(d, -FLT_MAX), m1 = m0;
    int64_t j = 0;
    if (bias) {
        for (; j + 2 * L <= n; j += 2 * L) {
            m0 = hn::Max(m0, hn::MulAdd(hn::LoadU(d, s + j), vs, hn::LoadU(d, bias + j)));
            m1 = hn::Max(m1, hn::MulAdd(hn::LoadU(d, s + j + L), vs, hn::LoadU(d, bias + j + L)));
        }
    } else {
        for (; j + 2 * L <= n; j += 2 * L) {
            m0 = hn::Max(m0, hn::Mul(hn::LoadU(d, s + j), vs));
            m1 = hn::Max(m1, hn::Mul(hn::LoadU(d, s + j + L), vs));
        }
    }
    float m = hn::GetLane(hn::MaxOfLanes(d, hn::Max(m0, m1)));
    for (; j < n; ++j) m = std::max(m, s[j] * scale + (bias ? bias[j] : 0.f));
    return m;
}

#if defined(__AVX512F__)
// 2^t for 16 lanes, t clamped to [-200, ·]: degree-6 polynomial on the rounded remainder and an
// exact scale by 2^n (vscalefps flushes tiny results to 0). Relative error ~2e-7: used by the
// bf16 path only, where the result is rounded to bf16 right after.
inline __m512 fast_exp2(__m512 t) {
    t = _mm512_max_ps(t, _mm512_set1_ps(-200.f));
    const __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(t, n);  // [-0.5, 0.5]
    __m512 p = _mm512_set1_ps(1.5403530393381606e-4f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.3333558146428443e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.6181291076284772e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5504108664821580e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022650695910071e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314718055994531e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// bf16 path: e = 2^((s·scale + bias − m)·log2e) rounded to bf16; returns Σe (f32).
float row_exp_bf16_fast(const float* s, const float* bias, int64_t n, float scale, float m, uint16_t* out16) {
    const float log2e = 1.4426950408889634f;
    const __m512 vs = _mm512_set1_ps(scale * log2e);
    const __m512 vl = _mm512_set1_ps(log2e);
    const __m512 vm = _mm512_set1_ps(-m * log2e);
    __m512 sum0 = _mm512_setzero_ps(), sum1 = _mm512_setzero_ps();
    int64_t j = 0;
    for (; j + 32 <= n; j += 32) {
        __m512 t0, t1;
        if (bias) {
            const __m512 mm = _mm512_set1_ps(-m);
            t0 = _mm512_mul_ps(_mm512_add_ps(_mm512_fmadd_ps(_mm512_loadu_ps(s + j), _mm512_set1_ps(scale),
                                                             _mm512_loadu_ps(bias + j)), mm), vl);
            t1 = _mm512_mul_ps(_mm512_add_ps(_mm512_fmadd_ps(_mm512_loadu_ps(s + j + 16), _mm512_set1_ps(scale),
                                                             _mm512_loadu_ps(bias + j + 16)), mm), vl);
        } else {
            t0 = _mm512_fmadd_ps(_mm512_loadu_ps(s + j), vs, vm);
            t1 = _mm512_fmadd_ps(_mm512_loadu_ps(s + j + 16), vs, vm);
        }
        const __m512 e0 = fast_exp2(t0), e1 = fast_exp2(t1);
        sum0 = _mm512_add_ps(sum0, e0);
        sum1 = _mm512_add_ps(sum1, e1);
#if defined(__AVX512BF16__)
        __m512bh r = _mm512_cvtne2ps_pbh(e1, e0);
        _mm512_storeu_si512(reinterpret_cast<void*>(out16 + j), reinterpret_cast<__m512i>(r));
#else
        alignas(64) float tmp[32];
        _mm512_store_ps(tmp, e0);
        _mm512_store_ps(tmp + 16, e1);
        for (int i = 0; i < 32; ++i) out16[j + i] = f32_to_bf16(tmp[i]);
#endif
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
    for (; j < n; ++j) {
        float e = std::exp((s[j] * scale + (bias ? bias[j] : 0.f)) - m);
        sum += e;
        out16[j] = f32_to_bf16(e);
    }
    return sum;
}
#endif

// e = exp(s·scale + bias − m); returns Σe. Writes f32 (out32) or bf16 (out16).
float row_exp(const float* s, const float* bias, int64_t n, float scale, float m, float* out32, uint16_t* out16) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vs = hn::Set(d, scale);
    const auto vm = hn::Set(d, -m);
    auto sum0 = hn::Zero(d), sum1 = hn::Zero(d);
    int64_t j = 0;
    for (; j + 2 * L <= n; j += 2 * L) {
        hn::Vec<decltype(d)> t0, t1;
        if (bias) {
            // (s·scale + bias) − m, in the reference's order: scores then bias then max.
            t0 = hn::Add(hn::Mul(hn::LoadU(d, s + j), vs), hn::LoadU(d, bias + j));
            t1 = hn::Add(hn::Mul(hn::LoadU(d, s + j + L), vs), hn::LoadU(d, bias + j + L));
            t0 = hn::Add(t0, vm);
            t1 = hn::Add(t1, vm);
        } else {
            t0 = hn::Add(hn::Mul(hn::LoadU(d, s + j), vs), vm);
            t1 = hn::Add(hn::Mul(hn::LoadU(d, s + j + L), vs), vm);
        }
        auto e0 = hn::Exp(d, t0), e1 = hn::Exp(d, t1);
        sum0 = hn::Add(sum0, e0);
        sum1 = hn::Add(sum1, e1);
        if (out16) {
#if defined(__AVX512BF16__) && HWY_TARGET <= HWY_AVX3
            static_assert(sizeof(e0.raw) == 64, "expects 512-bit vectors");
            __m512bh r = _mm512_cvtne2ps_pbh(e1.raw, e0.raw);
            _mm512_storeu_si512(reinterpret_cast<void*>(out16 + j), reinterpret_cast<__m512i>(r));
#else
            alignas(64) float tmp[2 * 64];
            hn::StoreU(e0, d, tmp);
            hn::StoreU(e1, d, tmp + L);
            for (int64_t i = 0; i < 2 * L; ++i) out16[j + i] = f32_to_bf16(tmp[i]);
#endif
        } else {
            hn::StoreU(e0, d, out32 + j);
            hn::StoreU(e1, d, out32 + j + L);
        }
    }
    float sum = hn::GetLane(hn::SumOfLanes(d, hn::Add(sum0, sum1)));
    for (; j < n; ++j) {
        float e = std::exp((s[j] * scale + (bias ? bias[j] : 0.f)) - m);
        sum += e;
        if (out16)
            out16[j] = f32_to_bf16(e);
        else
            out32[j] = e;
    }
    return sum;
}

}  // namespace

void set_attention_block_rows(int rows) { g_block_rows = rows; }

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_bias, int heads,
                 Precision precision) {
    for (const Tensor* t : {&q, &k, &v}) {
        LTX2_CHECK(t->defined() && t->dim() == 3 && t->dtype() == DType::F32,
                   "attention: q/k/v must be F32 [B, T, H·D], got {}", t->defined() ? shape_str(t->shape()) : "undefined");
        LTX2_CHECK(t->stride(2) == 1, "attention: q/k/v rows must be contiguous, got strides ({}, {}, {})",
                   t->stride(0), t->stride(1), t->stride(2));
    }
    const int64_t B = q.size(0), Tq = q.size(1), HD = q.size(2), Tk = k.size(1);
    LTX2_CHECK(heads > 0 && HD % heads == 0, "attention: width {} is not divisible by {} heads", HD, heads);
    LTX2_CHECK(k.size(0) == B && v.size(0) == B && k.size(2) == HD && v.size(2) == HD && v.size(1) == Tk,
               "attention: q {} k {} v {} do not agree", shape_str(q.shape()), shape_str(k.shape()),
               shape_str(v.shape()));
    const float* bias = nullptr;
    int64_t bias_ld = 0;
    Tensor bias_c;
    if (key_bias.defined()) {
        LTX2_CHECK(key_bias.numel() == B * Tk, "attention: key_bias {} must hold [B={}, Tk={}]",
                   shape_str(key_bias.shape()), B, Tk);
        bias_c = key_bias.to(DType::F32).contiguous();
        bias = bias_c.f32();
        bias_ld = Tk;
    }
    const int64_t D = HD / heads;
    Tensor out = Tensor::zeros({B, Tq, HD}, DType::F32);
    if (B == 0 || Tq == 0 || HD == 0) return out;
    LTX2_CHECK(Tk > 0, "attention: no keys");

    const bool bf16 = precision == Precision::BF16;
    const dt edt = bf16 ? dt::bf16 : dt::f32;
    const size_t esz = bf16 ? 2 : 4;
    const int Mb = block_rows(Tq);
    const float scale = float(1.0 / std::sqrt(double(D)));

    // S = Qblk · Kᵀ  (K = D, N = Tk);  O = E · V  (K = Tk, N = D). B operands pre-packed per head.
    cpu::MatmulDesc d1;
    d1.M = Mb; d1.N = Tk; d1.K = D; d1.a_dt = edt; d1.b_dt = edt; d1.lda = D; d1.b_blocked = true; d1.ldc = Tk;
    cpu::MatmulDesc d2;
    d2.M = Mb; d2.N = D; d2.K = Tk; d2.a_dt = edt; d2.b_dt = edt; d2.lda = Tk; d2.b_blocked = true; d2.ldc = D;
    const auto& p1 = cpu::matmul_primitive(d1);
    const auto& p2 = cpu::matmul_primitive(d2);
    const dnnl::memory::desc kb_md = cpu::matmul_b_desc(p1), vb_md = cpu::matmul_b_desc(p2);
    const size_t kb_bytes = kb_md.get_size(), vb_bytes = vb_md.get_size();
    const size_t kb_stride = (kb_bytes + 63) / 64 * 64, vb_stride = (vb_bytes + 63) / 64 * 64;
    const int64_t BH = B * heads;

    void* packed = std::aligned_alloc(64, size_t(BH) * (kb_stride + vb_stride));
    LTX2_CHECK(packed != nullptr, "attention: out of memory packing K/V ({} bytes)",
               size_t(BH) * (kb_stride + vb_stride));
    std::unique_ptr<void, decltype(&std::free)> packed_guard(packed, &std::free);
    auto* kpack = static_cast<std::byte*>(packed);
    auto* vpack = kpack + size_t(BH) * kb_stride;

    // Source descriptors of one head of K (as Kᵀ: [D, Tk]) and V ([Tk, D]) in the f32 inputs.
    const dnnl::memory::desc ksrc({D, Tk}, dt::f32, {1, k.stride(1)});
    const dnnl::memory::desc vsrc({Tk, D}, dt::f32, {v.stride(1), 1});

#pragma omp parallel for schedule(dynamic)
    for (int64_t bh = 0; bh < BH; ++bh) {
        const int64_t b = bh / heads, h = bh % heads;
        const float* kp = k.data<float>() + b * k.stride(0) + h * D;
        const float* vp = v.data<float>() + b * v.stride(0) + h * D;
        cpu::reorder(ksrc, kp, kb_md, kpack + size_t(bh) * kb_stride);
        cpu::reorder(vsrc, vp, vb_md, vpack + size_t(bh) * vb_stride);
    }

    const int64_t nblk = (Tq + Mb - 1) / Mb;
    const int64_t ntask = BH * nblk;
    const float* qd = q.data<float>();
    float* od = out.f32();

#pragma omp parallel for schedule(dynamic)
    for (int64_t task = 0; task < ntask; ++task) {
        const int64_t bh = task / nblk, blk = task % nblk;
        const int64_t b = bh / heads, h = bh % heads;
        const int64_t r0 = blk * Mb, rows = std::min<int64_t>(Mb, Tq - r0);

        // Q block, packed [Mb, D] (zero rows past Tq).
        void* qblk = cpu::scratch_buffer(1, size_t(Mb) * D * esz);
        for (int64_t r = 0; r < Mb; ++r) {
            if (r < rows) {
                const float* src = qd + b * q.stride(0) + (r0 + r) * q.stride(1) + h * D;
                if (bf16)
                    f32_to_bf16_array(src, static_cast<uint16_t*>(qblk) + r * D, size_t(D));
                else
                    std::memcpy(static_cast<float*>(qblk) + r * D, src, size_t(D) * 4);
            } else {
                std::memset(static_cast<std::byte*>(qblk) + r * D * esz, 0, size_t(D) * esz);
            }
        }
        float* S = static_cast<float*>(cpu::scratch_buffer(2, size_t(Mb) * Tk * 4));
        cpu::matmul_execute(p1, qblk, kpack + size_t(bh) * kb_stride, S);

        // Softmax numerators (E) and row sums. f32: in place over S; bf16: separate buffer.
        void* E = bf16 ? cpu::scratch_buffer(3, size_t(Mb) * Tk * 2) : static_cast<void*>(S);
        float inv_sum[1024];
        std::vector<float> inv_sum_big;
        float* inv = inv_sum;
        if (Mb > 1024) {
            inv_sum_big.resize(size_t(Mb));
            inv = inv_sum_big.data();
        }
        const float* brow = bias ? bias + b * bias_ld : nullptr;
        for (int64_t r = 0; r < rows; ++r) {
            const float* s = S + r * Tk;
            float m = row_max(s, brow, Tk, scale);
            float sum;
            if (bf16) {
#if defined(__AVX512F__)
                sum = row_exp_bf16_fast(s, brow, Tk, scale, m, static_cast<uint16_t*>(E) + r * Tk);
#else
                sum = row_exp(s, brow, Tk, scale, m, nullptr, static_cast<uint16_t*>(E) + r * Tk);
#endif
            } else {
                sum = row_exp(s, brow, Tk, scale, m, static_cast<float*>(E) + r * Tk, nullptr);
            }
            inv[r] = 1.0f / sum;
        }

        float* O = static_cast<float*>(cpu::scratch_buffer(4, size_t(Mb) * D * 4));
        cpu::matmul_execute(p2, E, vpack + size_t(bh) * vb_stride, O);
        for (int64_t r = 0; r < rows; ++r) {
            float* dst = od + (b * Tq + r0 + r) * HD + h * D;
            const float* o = O + r * D;
            const float f = inv[r];
            for (int64_t j = 0; j < D; ++j) dst[j] = o[j] * f;
        }
    }
    return out;
}

}  // namespace ltx2
