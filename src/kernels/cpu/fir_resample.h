#pragma once
// Polyphase FIR resampling of one signal row, as a per-channel transposed convolution (upsampling)
// or strided convolution (downsampling) with a shared filter computes it, the row extended by
// replicate padding. Used row by row so that the resampled signal never exists for a whole tensor.
#include <cstdint>

namespace ltx2::cpu {

// y = gain · conv_transpose1d(replicate_pad(x, pad, pad), taps, stride ratio), then crop_left /
// crop_right samples dropped.
struct FirUpsample {
    const float* taps = nullptr;
    int64_t num_taps = 0;
    int ratio = 2;
    int64_t pad = 0;
    int64_t crop_left = 0, crop_right = 0;
    float gain = 1.0f;
};

// y = conv1d(replicate_pad(x, pad_left, pad_right), taps, stride ratio) (cross-correlation).
struct FirDownsample {
    const float* taps = nullptr;
    int64_t num_taps = 0;
    int ratio = 2;
    int64_t pad_left = 0, pad_right = 0;
};

int64_t fir_upsampled_length(int64_t n, const FirUpsample& up);
int64_t fir_downsampled_length(int64_t n, const FirDownsample& down);

// dst holds fir_upsampled_length(n) / fir_downsampled_length(n) values; n >= 1.
void fir_upsample_row(const float* x, int64_t n, const FirUpsample& up, float* dst);
void fir_downsample_row(const float* x, int64_t n, const FirDownsample& down, float* dst);

}  // namespace ltx2::cpu
