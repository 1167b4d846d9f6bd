#include "models/vocoder/model.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "kernels/cpu/conv.h"

namespace ltx2 {

namespace {

constexpr float kResSlope = 0.1f;    // the res blocks' and upsample stages' leaky ReLU slope
constexpr float kPostSlope = 0.01f;  // torch's default slope, used before conv_post

// A new F32 tensor: leaky_relu(x, slope).
Tensor leaky_relu(const Tensor& x, float slope) {
    Tensor out = x.to(DType::F32).clone();
    float* p = out.f32();
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] >= 0.f ? p[i] : p[i] * slope;
    return out;
}

void add_into(Tensor& acc, const Tensor& y) {
    float* a = acc.f32();
    const Tensor yc = y.contiguous();
    const float* b = yc.f32();
    const int64_t n = acc.numel();
    for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}

// Conv1d, stride 1, with torch's padding="same" for dilation d (extra padding at the end).
Tensor conv_same(const Tensor& x, const VocoderConv& c, int dilation) {
    const int64_t k = c.weight.size(2);
    const int64_t total = int64_t(dilation) * (k - 1);
    ConvParams p;
    p.strides = {1};
    p.dilations = {dilation};
    p.pad_before = {total / 2};
    p.pad_after = {total - total / 2};
    return conv_nd(x, c.weight, c.bias, p);
}

Tensor resblock_forward(const Tensor& x_in, const VocoderResBlockWeights& r) {
    Tensor x = x_in.clone();
    for (size_t m = 0; m < r.convs1.size(); ++m) {
        Tensor t = conv_same(leaky_relu(x, kResSlope), r.convs1[m], r.dilations[m]);
        if (!r.convs2.empty()) t = conv_same(leaky_relu(t, kResSlope), r.convs2[m], 1);
        add_into(t, x);  // xt + x
        x = std::move(t);
    }
    return x;
}

}  // namespace

Vocoder Vocoder::load(const WeightStore& store) {
    return load(store, parse_vocoder_config(store.config(), store.describe()));
}

Vocoder Vocoder::load(const WeightStore& store, const VocoderConfig& config) {
    Vocoder v;
    v.config_ = config;
    v.weights_ = load_vocoder_weights(store, config);
    return v;
}

Tensor Vocoder::forward(const Tensor& mel, const VocoderTap& tap) const {
    const VocoderConfig& c = config_;
    const int bins = VocoderConfig::kMelBins;
    LTX2_CHECK(mel.defined(), "vocoder: the mel spectrogram is undefined");
    LTX2_CHECK(mel.dtype() == DType::F32 || mel.dtype() == DType::BF16,
               "vocoder: mel spectrogram has dtype {}, expected F32 or BF16", dtype_name(mel.dtype()));
    Tensor m = mel;
    if (c.stereo) {
        LTX2_CHECK(mel.dim() == 4 && mel.size(1) == 2 && mel.size(3) == bins,
                   "vocoder: stereo mel spectrogram has shape {}, expected (batch, 2, frames, {}) "
                   "(batch, audio channel, frame, mel bin)",
                   shape_str(mel.shape()), bins);
    } else {
        LTX2_CHECK((mel.dim() == 3 && mel.size(2) == bins) ||
                       (mel.dim() == 4 && mel.size(1) == 1 && mel.size(3) == bins),
                   "vocoder: mono mel spectrogram has shape {}, expected (batch, frames, {}) or (batch, 1, frames, {})",
                   shape_str(mel.shape()), bins, bins);
        if (m.dim() == 3) m = m.unsqueeze(1);
    }
    const int64_t B = m.size(0), S = m.size(1), T = m.size(2);
    LTX2_CHECK(B >= 1 && T >= 1, "vocoder: mel spectrogram has shape {}, expected at least one batch item and frame",
               shape_str(mel.shape()));

    // (B, S, T, M) -> (B, S, M, T) -> (B, S·M, T): channel s·64 + m.
    Tensor x = m.permute({0, 1, 3, 2}).to(DType::F32).contiguous().reshape({B, S * bins, T});

    ConvParams pre;
    pre.pad_before = {3};
    pre.pad_after = {3};
    x = conv_nd(x, weights_.conv_pre.weight, weights_.conv_pre.bias, pre);
    if (tap) tap("after_conv_pre", x);

    const int nk = c.num_kernels();
    for (int i = 0; i < c.num_upsamples(); ++i) {
        const int64_t s = c.upsample_rates[size_t(i)], k = c.upsample_kernel_sizes[size_t(i)];
        ConvTransposeParams up;
        up.strides = {s};
        up.pad_before = {(k - s) / 2};
        up.pad_after = {(k - s) / 2};
        x = conv_transpose_nd(leaky_relu(x, kResSlope), weights_.ups[size_t(i)].weight, weights_.ups[size_t(i)].bias,
                              up);
        if (tap) tap("after_ups." + std::to_string(i), x);
        // Every res block of the stage sees the same input; their outputs are averaged.
        Tensor sum = resblock_forward(x, weights_.resblocks[size_t(i * nk)]);
        for (int j = 1; j < nk; ++j) add_into(sum, resblock_forward(x, weights_.resblocks[size_t(i * nk + j)]));
        float* p = sum.f32();
        const float n = float(nk);
        for (int64_t e = 0; e < sum.numel(); ++e) p[e] /= n;
        x = std::move(sum);
    }

    ConvParams post;
    post.pad_before = {3};
    post.pad_after = {3};
    x = conv_nd(leaky_relu(x, kPostSlope), weights_.conv_post.weight, weights_.conv_post.bias, post);
    if (tap) tap("conv_post_before_tanh", x);
    x = x.contiguous();
    float* p = x.f32();
    for (int64_t e = 0; e < x.numel(); ++e) p[e] = std::tanh(p[e]);
    return x;
}

}  // namespace ltx2
