#include "models/vocoder/ops.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "core/fp_contract_off.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/linear.h"

namespace ltx2::vocoder_ops {

namespace {

constexpr float kSnakeEps = 1e-9f;
constexpr float kLogMelFloor = 1e-5f;

// The [1, 1, K] filter repeated for each of `channels` groups: [channels, 1, K].
Tensor per_channel(const Tensor& filter, int64_t channels) {
    const std::vector<float> f = filter.to_vector();
    std::vector<float> out;
    out.reserve(size_t(channels) * f.size());
    for (int64_t c = 0; c < channels; ++c) out.insert(out.end(), f.begin(), f.end());
    return Tensor::from_f32({channels, 1, int64_t(f.size())}, out);
}

void scale_inplace(Tensor& x, float s) {
    float* p = x.f32();
    for (int64_t i = 0, n = x.numel(); i < n; ++i) p[i] *= s;
}

// In place: x + inv_beta · sin(x · alpha)², per channel. x F32 contiguous [B, C, L].
void snake_beta_inplace(Tensor& x, const Tensor& alpha_t, const Tensor& inv_beta_t) {
    LTX2_CHECK(x.dtype() == DType::F32 && x.is_contiguous() && x.dim() == 3 && alpha_t.numel() == x.size(1),
               "snake_beta: x {} must be contiguous F32 (B, C, L) with C-entry alpha, got {}", shape_str(x.shape()),
               shape_str(alpha_t.shape()));
    const float* alpha = alpha_t.f32();
    const float* inv_beta = inv_beta_t.f32();
    const int64_t C = x.size(1), L = x.size(2), rows = x.size(0) * C;
    float* p = x.f32();
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        const float a = alpha[r % C], ib = inv_beta[r % C];
        float* row = p + r * L;
        for (int64_t i = 0; i < L; ++i) {
            const float s = std::sin(row[i] * a);
            row[i] = row[i] + ib * (s * s);
        }
    }
}

// Upsampling by `ratio` with a per-channel [C, 1, K] low-pass filter: replicate-pad `pad` samples
// at both ends, ratio · conv_transpose1d(stride ratio), then drop `crop_left` / `crop_right`.
Tensor sinc_upsample(const Tensor& x, const Tensor& channel_filters, int ratio, int64_t pad, int64_t crop_left,
                     int64_t crop_right) {
    ConvTransposeParams p;
    p.strides = {ratio};
    p.groups = x.size(1);
    Tensor y = conv_transpose_nd(pad_nd(x, {pad}, {pad}, PadMode::Replicate), channel_filters, Tensor(), p);
    scale_inplace(y, float(ratio));
    return y.slice(2, crop_left, y.size(2) - crop_right).contiguous();
}

}  // namespace

VocoderAct1d make_act1d(const Tensor& log_alpha, const Tensor& log_beta, const Tensor& up_filter,
                        const Tensor& down_filter) {
    std::vector<float> alpha = log_alpha.to_vector(), inv_beta = log_beta.to_vector();
    for (float& a : alpha) a = std::exp(a);
    for (float& b : inv_beta) b = 1.0f / (std::exp(b) + kSnakeEps);
    const int64_t channels = int64_t(alpha.size());
    return {Tensor::from_f32({channels}, alpha), Tensor::from_f32({channels}, inv_beta),
            per_channel(up_filter, channels), per_channel(down_filter, channels)};
}

Tensor anti_aliased_snake_beta(const Tensor& x, const VocoderAct1d& act) {
    constexpr int kRatio = 2;
    const int64_t k = act.up_filter.size(2);
    // UpSample1d (kaiser): pad = K/ratio − 1, crops pad·ratio + (K − ratio)/2 and pad·ratio + (K − ratio + 1)/2.
    const int64_t pad = k / kRatio - 1;
    Tensor h = sinc_upsample(x, act.up_filter, kRatio, pad, pad * kRatio + (k - kRatio) / 2,
                             pad * kRatio + (k - kRatio + 1) / 2);
    snake_beta_inplace(h, act.alpha, act.inv_beta);
    // DownSample1d: replicate pad K/2 − (K even) left and K/2 right, strided per-channel low-pass.
    const int64_t kd = act.down_filter.size(2);
    ConvParams d;
    d.strides = {kRatio};
    d.groups = h.size(1);
    return conv_nd(pad_nd(h, {kd / 2 - (kd % 2 == 0 ? 1 : 0)}, {kd / 2}, PadMode::Replicate), act.down_filter,
                   Tensor(), d);
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
    const int64_t w = hann_width(), K = filter.size(2);
    return sinc_upsample(x, per_channel(filter, x.size(1)), ratio, w, 2 * w * ratio, K - ratio);
}

Tensor causal_log_mel(const Tensor& x, const Tensor& forward_basis, const Tensor& mel_basis, int hop) {
    const int64_t B = x.size(0), C = x.size(1), L = x.size(2);
    const int64_t n_fft = forward_basis.size(2), F = forward_basis.size(0) / 2, M = mel_basis.size(0);
    LTX2_CHECK(L % hop == 0, "causal_log_mel: length {} is not a multiple of hop {}", L, hop);
    ConvParams p;
    p.strides = {hop};
    p.pad_before = {n_fft - hop};
    p.pad_after = {0};
    const Tensor spec = conv_nd(x.contiguous().reshape({B * C, 1, L}), forward_basis, Tensor(), p);  // [BC, 2F, T]
    const int64_t T = spec.size(2);
    Tensor magnitude = Tensor::zeros({B * C, F, T});
    const float* s = spec.f32();
    float* m = magnitude.f32();
    for (int64_t r = 0; r < B * C; ++r)
        for (int64_t f = 0; f < F; ++f)
            for (int64_t t = 0; t < T; ++t) {
                const float re = s[(r * 2 * F + f) * T + t], im = s[(r * 2 * F + F + f) * T + t];
                m[(r * F + f) * T + t] = std::sqrt(re * re + im * im);
            }
    Tensor mel = Tensor::zeros({B * C, M, T});
    for (int64_t r = 0; r < B * C; ++r) {
        Tensor out = mel.select(0, r);
        matmul(mel_basis, magnitude.select(0, r), out);
    }
    float* q = mel.f32();
    for (int64_t i = 0, n = mel.numel(); i < n; ++i) q[i] = std::log(std::max(q[i], kLogMelFloor));
    return mel.reshape({B, C, M, T});
}

void clamp_inplace(Tensor& x, float lo, float hi) {
    float* p = x.f32();
    for (int64_t i = 0, n = x.numel(); i < n; ++i) p[i] = std::clamp(p[i], lo, hi);
}

}  // namespace ltx2::vocoder_ops
