#include "models/vocoder/generator.h"

#include "core/error.h"
#include "ops/conv.h"
#include "ops/elementwise.h"
#include "ops/pointwise.h"
#include "models/vocoder/ops.h"

namespace ltx2 {

namespace {

constexpr float kResSlope = 0.1f;    // HiFi-GAN: the res blocks' and upsample stages' leaky ReLU slope
constexpr float kPostSlope = 0.01f;  // HiFi-GAN: torch's default slope, used before conv_post

// A new F32 tensor: leaky_relu(x, slope).
Tensor leaky_relu(const Tensor& x, float slope) {
    Tensor out = x.to(DType::F32).clone();
    leaky_relu_inplace(out, slope);
    return out;
}

Tensor conv(const Tensor& x, const VocoderConv& c, int64_t dilation, int64_t pad_before, int64_t pad_after) {
    ConvParams p;
    p.dilations = {dilation};
    p.pad_before = {pad_before};
    p.pad_after = {pad_after};
    return conv_nd(x, c.weight, c.bias, p);
}

// Conv1d, stride 1, with torch's padding="same" for dilation d (extra padding at the end).
Tensor conv_same(const Tensor& x, const VocoderConv& c, int dilation) {
    const int64_t total = int64_t(dilation) * (c.weight.size(2) - 1);
    return conv(x, c, dilation, total / 2, total - total / 2);
}

// Conv1d with BigVGAN's get_padding: (k·d − d)/2 at both ends.
Tensor conv_padded(const Tensor& x, const VocoderConv& c, int dilation) {
    const int64_t pad = (c.weight.size(2) * dilation - dilation) / 2;
    return conv(x, c, dilation, pad, pad);
}

// HiFi-GAN resblock "1" / "2": x += conv(leaky(x)) [→ conv(leaky(·))] per dilation.
Tensor resblock_forward(const Tensor& x_in, const VocoderResBlockWeights& r) {
    Tensor x = x_in.clone();
    for (size_t m = 0; m < r.convs1.size(); ++m) {
        Tensor t = conv_same(leaky_relu(x, kResSlope), r.convs1[m], r.dilations[m]);
        if (!r.convs2.empty()) t = conv_same(leaky_relu(t, kResSlope), r.convs2[m], 1);
        add_inplace(t, x);  // xt + x
        x = std::move(t);
    }
    return x;
}

// BigVGAN v2 AMP1: x += conv2(act2(conv1(act1(x)))) per dilation.
Tensor amp_resblock_forward(const Tensor& x_in, const VocoderResBlockWeights& r) {
    Tensor x = x_in.clone();
    for (size_t m = 0; m < r.convs1.size(); ++m) {
        Tensor t = conv_padded(vocoder_ops::anti_aliased_snake_beta(x, r.acts1[m]), r.convs1[m], r.dilations[m]);
        t = conv_padded(vocoder_ops::anti_aliased_snake_beta(t, r.acts2[m]), r.convs2[m], 1);
        add_inplace(x, t);
    }
    return x;
}

}  // namespace

Tensor vocoder_generator_forward(const VocoderGeneratorConfig& c, const VocoderGeneratorWeights& w, const Tensor& x_in,
                                 const VocoderTap& tap) {
    Tensor x = conv(x_in, w.conv_pre, 1, 3, 3);
    if (tap) tap("after_conv_pre", x);

    const int nk = c.num_kernels();
    for (int i = 0; i < c.num_upsamples(); ++i) {
        const int64_t s = c.upsample_rates[size_t(i)], k = c.upsample_kernel_sizes[size_t(i)];
        ConvTransposeParams up;
        up.strides = {s};
        up.pad_before = {(k - s) / 2};
        up.pad_after = {(k - s) / 2};
        // HiFi-GAN activates before each upsampling; BigVGAN's activations live in its resblocks.
        const Tensor in = c.is_amp() ? x : leaky_relu(x, kResSlope);
        x = conv_transpose_nd(in, w.ups[size_t(i)].weight, w.ups[size_t(i)].bias, up);
        if (tap) tap("after_ups." + std::to_string(i), x);
        // Every res block of the stage sees the same input; their outputs are averaged.
        auto block = [&](int j) {
            const VocoderResBlockWeights& r = w.resblocks[size_t(i * nk + j)];
            return c.is_amp() ? amp_resblock_forward(x, r) : resblock_forward(x, r);
        };
        Tensor sum = block(0);
        for (int j = 1; j < nk; ++j) add_inplace(sum, block(j));
        div_scalar_inplace(sum, float(nk));
        x = std::move(sum);
    }

    x = c.is_amp() ? vocoder_ops::anti_aliased_snake_beta(x, w.act_post) : leaky_relu(x, kPostSlope);
    if (tap) tap("after_act_post", x);
    x = conv(x, w.conv_post, 1, 3, 3).contiguous();
    const bool tanh_follows = c.apply_final_activation && c.use_tanh_at_final;
    if (tap) tap(tanh_follows ? "conv_post_before_tanh" : "conv_post", x);
    if (!c.apply_final_activation) return x;
    if (c.use_tanh_at_final)
        tanh_inplace(x);
    else
        clamp_inplace(x, -1.f, 1.f);
    return x;
}

}  // namespace ltx2
