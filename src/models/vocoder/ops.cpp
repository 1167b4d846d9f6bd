#include "models/vocoder/ops.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.h"
#include "ops/conv.h"
#include "ops/elementwise.h"
#include "ops/resample.h"
#include "ops/linear.h"
#include "ops/pointwise.h"
#include "ops/spectral.h"

namespace ltx2::vocoder_ops {

namespace {

constexpr float kLogMelFloor = 1e-5f;

}  // namespace

Tensor anti_aliased_snake_beta(const Tensor& x, const VocoderAct1d& act) {
    constexpr int kRatio = 2;
    // UpSample1d (kaiser): pad = K/ratio − 1, crops pad·ratio + (K − ratio)/2 and pad·ratio + (K − ratio + 1)/2,
    // gain ratio. DownSample1d: replicate pad K/2 − (K even) left and K/2 right, strided low-pass.
    const int64_t k = act.up_filter.numel(), kd = act.down_filter.numel();
    FirUpsampleSpec up;
    up.taps = act.up_filter;
    up.ratio = kRatio;
    up.pad = k / kRatio - 1;
    up.crop_left = up.pad * kRatio + (k - kRatio) / 2;
    up.crop_right = up.pad * kRatio + (k - kRatio + 1) / 2;
    up.gain = float(kRatio);
    FirDownsampleSpec down;
    down.taps = act.down_filter;
    down.ratio = kRatio;
    down.pad_left = kd / 2 - (kd % 2 == 0 ? 1 : 0);
    down.pad_right = kd / 2;
    return snake_beta_resampled(x, act.alpha, act.inv_beta, up, down);
}

namespace {
constexpr float kRolloff = 0.99f;
constexpr int kLowpassWidth = 6;
int hann_width() { return int(std::ceil(double(kLowpassWidth) / double(kRolloff))); }
}  // namespace

Tensor hann_sinc_filter(int ratio) {
    const int w = hann_width();
    const int K = 2 * w * ratio + 1;
    const float pi = std::numbers::pi_v<float>;
    std::vector<float> f(static_cast<size_t>(K));
    for (int i = 0; i < K; ++i) {
        const float t = (float(i) / float(ratio) - float(w)) * kRolloff;
        const float tc = std::clamp(t, -float(kLowpassWidth), float(kLowpassWidth));
        const float c = std::cos(tc * pi / float(kLowpassWidth) / 2.0f);
        const float window = c * c;
        const float sinc = t == 0.f ? 1.f : std::sin(pi * t) / (pi * t);
        f[size_t(i)] = sinc * window * kRolloff / float(ratio);
    }
    return Tensor::from_f32({1, 1, K}, f);
}

Tensor hann_sinc_upsample(const Tensor& x, const Tensor& filter, int ratio) {
    const int64_t w = hann_width();
    FirUpsampleSpec up;
    up.taps = filter.reshape({filter.numel()});
    up.ratio = ratio;
    up.pad = w;
    up.crop_left = 2 * w * ratio;
    up.crop_right = filter.numel() - ratio;
    up.gain = float(ratio);
    return fir_upsample(x, up);
}

Tensor causal_log_mel(const Tensor& x, const Tensor& forward_basis, const Tensor& mel_basis, int hop) {
    const int64_t B = x.size(0), C = x.size(1), L = x.size(2);
    const int64_t n_fft = forward_basis.size(2), M = mel_basis.size(0);
    LTX2_CHECK(L % hop == 0, "causal_log_mel: length {} is not a multiple of hop {}", L, hop);
    ConvParams p;
    p.strides = {hop};
    p.pad_before = {n_fft - hop};
    p.pad_after = {0};
    const Tensor spec = conv_nd(x.contiguous().reshape({B * C, 1, L}), forward_basis, Tensor(), p);  // [BC, 2F, T]
    const int64_t T = spec.size(2);
    const Tensor magnitude = complex_magnitude(spec);  // [BC, F, T]
    Tensor mel = Tensor::empty({B * C, M, T});
    for (int64_t r = 0; r < B * C; ++r) {
        Tensor out = mel.select(0, r);
        matmul(mel_basis, magnitude.select(0, r), out);
    }
    log_clamped_inplace(mel, kLogMelFloor);
    return mel.reshape({B, C, M, T});
}

}  // namespace ltx2::vocoder_ops
