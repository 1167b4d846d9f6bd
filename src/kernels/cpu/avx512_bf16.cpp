#include "kernels/cpu/avx512_bf16.h"

#include <cmath>

#include <immintrin.h>

#include "kernels/cpu/cpu_common.h"

// GCC 12 reports its own AVX-512 intrinsic headers (undefined pass-through operands).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
// Everything below may use AVX-512 F/BW/DQ/VL and BF16; the callers check the CPU first.
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16")

namespace ltx2::cpu {

namespace {

// 2^t for 16 lanes, t clamped to [-200, ·]: degree-6 polynomial on the rounded remainder and an
// exact scale by 2^n (vscalefps flushes tiny results to 0). Relative error ~2e-7: used by the
// bf16 path only, where the result is rounded to bf16 right after.
inline __m512 exp2_approx(__m512 t) {
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

inline void store_bf16x32(uint16_t* dst, __m512 lo, __m512 hi) {
    const __m512bh r = _mm512_cvtne2ps_pbh(hi, lo);
    _mm512_storeu_si512(reinterpret_cast<void*>(dst), reinterpret_cast<__m512i>(r));
}

}  // namespace

void f32_to_bf16_avx512_bf16(const float* src, uint16_t* dst, size_t n) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) store_bf16x32(dst + i, _mm512_loadu_ps(src + i), _mm512_loadu_ps(src + i + 16));
    for (; i < n; ++i) dst[i] = f32_to_bf16(src[i]);
}

float softmax_numerators_bf16_avx512_bf16(const float* s, const float* bias, int64_t n, float scale, float m,
                                          uint16_t* out16) {
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
        const __m512 e0 = exp2_approx(t0), e1 = exp2_approx(t1);
        sum0 = _mm512_add_ps(sum0, e0);
        sum1 = _mm512_add_ps(sum1, e1);
        store_bf16x32(out16 + j, e0, e1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
    for (; j < n; ++j) {
        const float e = std::exp((s[j] * scale + (bias ? bias[j] : 0.f)) - m);
        sum += e;
        out16[j] = f32_to_bf16(e);
    }
    return sum;
}

}  // namespace ltx2::cpu
