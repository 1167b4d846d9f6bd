#include "kernels/cpu/fir_resample.h"

#include <algorithm>

#include "core/error.h"

namespace ltx2::cpu {

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
    const int64_t r = up.ratio, k = up.num_taps, padded = n + 2 * up.pad;
    const int64_t len = fir_upsampled_length(n, up);
    for (int64_t o = 0; o < len; ++o) {
        // Output sample t gets x_padded[i] · taps[t − r·i] for every i with 0 <= t − r·i < k.
        const int64_t t = o + up.crop_left;
        const int64_t lowest = t - (k - 1);
        const int64_t first = lowest <= 0 ? 0 : (lowest + r - 1) / r;
        const int64_t last = std::min(t / r, padded - 1);
        float sum = 0.0f;
        for (int64_t i = first; i <= last; ++i) sum += x[std::clamp<int64_t>(i - up.pad, 0, n - 1)] * up.taps[t - r * i];
        dst[o] = up.gain * sum;
    }
}

void fir_downsample_row(const float* x, int64_t n, const FirDownsample& down, float* dst) {
    const int64_t len = fir_downsampled_length(n, down), k = down.num_taps;
    for (int64_t j = 0; j < len; ++j) {
        const int64_t start = j * down.ratio - down.pad_left;
        float sum = 0.0f;
        if (start >= 0 && start + k <= n) {
            const float* row = x + start;
            for (int64_t q = 0; q < k; ++q) sum += row[q] * down.taps[q];
        } else {
            for (int64_t q = 0; q < k; ++q) sum += x[std::clamp<int64_t>(start + q, 0, n - 1)] * down.taps[q];
        }
        dst[j] = sum;
    }
}

}  // namespace ltx2::cpu
