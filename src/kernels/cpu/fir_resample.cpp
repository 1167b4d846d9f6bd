#include "kernels/cpu/fir_resample.h"

#include <algorithm>

#include "core/error.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/fir_resample.cpp"
#include <hwy/foreach_target.h>

#include "kernels/cpu/simd.h"

// Each output is a sum over taps in one fixed order, starting from 0 (products rounded, then
// added: the build has no FMA contraction). The SIMD paths compute a vector of outputs with
// exactly that order, so they equal the scalar path bit for bit; the scalar path does the row's
// ends, where replicate padding and the crops clamp the taps, and ratios other than 2.

#ifndef LTX2_FIR_SCALAR_DEFINED
#define LTX2_FIR_SCALAR_DEFINED
namespace ltx2::cpu::fir_scalar {

// Upsampled output t (before the crop): x_padded[i] · taps[t − r·i] for every valid i, i ascending.
inline float upsampled_value(const float* x, int64_t n, const FirUpsample& up, int64_t t) {
    const int64_t r = up.ratio, k = up.num_taps, padded = n + 2 * up.pad;
    const int64_t lowest = t - (k - 1);
    const int64_t first = lowest <= 0 ? 0 : (lowest + r - 1) / r;
    const int64_t last = std::min(t / r, padded - 1);
    float sum = 0.0f;
    for (int64_t i = first; i <= last; ++i) sum += x[std::clamp<int64_t>(i - up.pad, 0, n - 1)] * up.taps[t - r * i];
    return up.gain * sum;
}

// Downsampled output j: x_padded[j·r − pad_left + q] · taps[q], q ascending.
inline float downsampled_value(const float* x, int64_t n, const FirDownsample& down, int64_t j) {
    const int64_t start = j * down.ratio - down.pad_left, k = down.num_taps;
    float sum = 0.0f;
    for (int64_t q = 0; q < k; ++q) sum += x[std::clamp<int64_t>(start + q, 0, n - 1)] * down.taps[q];
    return sum;
}

}  // namespace ltx2::cpu::fir_scalar
#endif

HWY_BEFORE_NAMESPACE();
namespace ltx2::cpu::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// Ratio 2. Output t = 2m + p (p the phase) sums x[m − j − pad] · taps[p + 2j] for j from J_p − 1
// down to 0, J_p = ceil((k − p) / 2): for consecutive m, contiguous loads of x.
void FirUpsampleRow(const float* x, int64_t n, const FirUpsample& up, float* dst, int64_t len) {
    const hn::ScalableTag<float> d;
    const int64_t N = int64_t(hn::Lanes(d));
    const int64_t k = up.num_taps, j_even = (k + 1) / 2, j_odd = k / 2;
    // Blocks of m where every tap is inside x and both outputs 2m, 2m + 1 are inside dst.
    const int64_t m_first = std::max((up.crop_left + 1) / 2, up.pad + j_even - 1);
    const int64_t m_end = std::min(n + up.pad, (len + up.crop_left) / 2);  // exclusive
    int64_t o = 0;
    const auto gain = hn::Set(d, up.gain);
    if (up.ratio == 2 && j_odd >= 1)
        for (int64_t m = m_first; m + N <= m_end; m += N) {
            for (; o < 2 * m - up.crop_left; ++o) dst[o] = fir_scalar::upsampled_value(x, n, up, o + up.crop_left);
            auto even = hn::Zero(d), odd = hn::Zero(d);
            for (int64_t j = j_even - 1; j >= 0; --j)
                even = hn::Add(even, hn::Mul(hn::LoadU(d, x + m - j - up.pad), hn::Set(d, up.taps[2 * j])));
            for (int64_t j = j_odd - 1; j >= 0; --j)
                odd = hn::Add(odd, hn::Mul(hn::LoadU(d, x + m - j - up.pad), hn::Set(d, up.taps[2 * j + 1])));
            hn::StoreInterleaved2(hn::Mul(gain, even), hn::Mul(gain, odd), d, dst + o);
            o += 2 * N;
        }
    for (; o < len; ++o) dst[o] = fir_scalar::upsampled_value(x, n, up, o + up.crop_left);
}

// Ratio 2: output j sums x[2j − pad_left + q] · taps[q]; for consecutive j that is every other
// value from x + 2j − pad_left + q, the even lanes of an interleaved load (whose odd lanes are
// the next tap's).
void FirDownsampleRow(const float* x, int64_t n, const FirDownsample& down, float* dst, int64_t len) {
    const hn::ScalableTag<float> d;
    const int64_t N = int64_t(hn::Lanes(d));
    const int64_t k = down.num_taps;
    const int64_t j_first = (down.pad_left + 1) / 2;
    // The interleaved loads of a block read x from 2·jb − pad_left up to the last even q plus 2N.
    const int64_t reach = (k - 1) / 2 * 2 + 2 * N;
    int64_t j = 0;
    if (down.ratio == 2)
        for (int64_t jb = j_first; jb + N <= len && 2 * jb - down.pad_left + reach <= n; jb += N) {
            for (; j < jb; ++j) dst[j] = fir_scalar::downsampled_value(x, n, down, j);
            const float* base = x + 2 * jb - down.pad_left;
            auto sum = hn::Zero(d);
            for (int64_t q = 0; q < k; q += 2) {
                hn::Vec<decltype(d)> x_q, x_next;
                hn::LoadInterleaved2(d, base + q, x_q, x_next);
                sum = hn::Add(sum, hn::Mul(x_q, hn::Set(d, down.taps[q])));
                if (q + 1 < k) sum = hn::Add(sum, hn::Mul(x_next, hn::Set(d, down.taps[q + 1])));
            }
            hn::StoreU(sum, d, dst + j);
            j += N;
        }
    for (; j < len; ++j) dst[j] = fir_scalar::downsampled_value(x, n, down, j);
}

}  // namespace
}  // namespace ltx2::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ltx2::cpu {

HWY_EXPORT(FirUpsampleRow);
HWY_EXPORT(FirDownsampleRow);

int64_t fir_upsampled_length(int64_t n, const FirUpsample& up) {
    const int64_t full = (n + 2 * up.pad - 1) * up.ratio + up.num_taps;
    const int64_t len = full - up.crop_left - up.crop_right;
    LTX2_CHECK(n >= 1 && len >= 0, "FIR upsampling: a row of {} samples with {} taps, pad {}, crops {} / {}", n,
               up.num_taps, up.pad, up.crop_left, up.crop_right);
    return len;
}

int64_t fir_downsampled_length(int64_t n, const FirDownsample& down) {
    const int64_t padded = n + down.pad_left + down.pad_right;
    LTX2_CHECK(n >= 1 && padded >= down.num_taps, "FIR downsampling: a row of {} samples is shorter than {} taps", n,
               down.num_taps);
    return (padded - down.num_taps) / down.ratio + 1;
}

void fir_upsample_row(const float* x, int64_t n, const FirUpsample& up, float* dst) {
    LTX2_SIMD_DISPATCH(FirUpsampleRow)(x, n, up, dst, fir_upsampled_length(n, up));
}

void fir_downsample_row(const float* x, int64_t n, const FirDownsample& down, float* dst) {
    LTX2_SIMD_DISPATCH(FirDownsampleRow)(x, n, down, dst, fir_downsampled_length(n, down));
}

}  // namespace ltx2::cpu
#endif
