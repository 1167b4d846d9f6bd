#include "models/vocoder/weights.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr float kSnakeEps = 1e-9f;

// Activation1d from its stored tensors, once at load: α = e^(log α), 1/β = 1 / (e^(log β) + 1e-9)
// per channel, and the two [1, 1, K] filters as flat taps.
VocoderAct1d act1d_from_stored(const Tensor& log_alpha, const Tensor& log_beta, const Tensor& up_filter,
                               const Tensor& down_filter) {
    std::vector<float> alpha = log_alpha.to_vector(), inv_beta = log_beta.to_vector();
    for (float& a : alpha) a = std::exp(a);
    for (float& b : inv_beta) b = 1.0f / (std::exp(b) + kSnakeEps);
    const int64_t channels = int64_t(alpha.size());
    auto taps = [](const Tensor& filter) { return Tensor::from_f32({filter.numel()}, filter.to_vector()); };
    return {Tensor::from_f32({channels}, alpha), Tensor::from_f32({channels}, inv_beta), taps(up_filter),
            taps(down_filter)};
}

class Loader : public ModelWeightLoader {
public:
    Loader(const WeightStore& store, bool f32) : ModelWeightLoader(store), f32_(f32) {}

    Tensor tensor(const std::string& name, const Shape& shape) {
        Tensor t = get(name, shape);
        return f32_ ? t.to(DType::F32) : t;
    }
    // Conv1d(cin -> cout, k), with or without bias.
    VocoderConv conv(const std::string& name, int64_t cin, int64_t cout, int64_t k, bool bias = true) {
        return {tensor(name + ".weight", {cout, cin, k}), bias ? tensor(name + ".bias", {cout}) : Tensor()};
    }
    // ConvTranspose1d(cin -> cout, k): weight laid out [cin, cout, k].
    VocoderConv conv_transpose(const std::string& name, int64_t cin, int64_t cout, int64_t k) {
        return {tensor(name + ".weight", {cin, cout, k}), tensor(name + ".bias", {cout})};
    }
    VocoderAct1d act1d(const std::string& name, int64_t channels) {
        // The filters' tap count is the file's (12 in every released BigVGAN v2).
        const Tensor up = store_.get(name + ".upsample.filter");
        LTX2_CHECK(up.dim() == 3 && up.size(0) == 1 && up.size(1) == 1 && up.size(2) >= 2,
                   "{}: tensor '{}.upsample.filter' has shape {}, expected (1, 1, K)", store_.describe(), name,
                   shape_str(up.shape()));
        const int64_t k = up.size(2);
        return act1d_from_stored(tensor(name + ".act.alpha", {channels}), tensor(name + ".act.beta", {channels}),
                                 tensor(name + ".upsample.filter", {1, 1, k}),
                                 tensor(name + ".downsample.lowpass.filter", {1, 1, k}));
    }

    VocoderGeneratorWeights generator(const std::string& prefix, const VocoderGeneratorConfig& c) {
        VocoderGeneratorWeights w;
        w.conv_pre = conv(prefix + "conv_pre", c.in_channels(), c.stage_channels(0), 7);
        for (int i = 0; i < c.num_upsamples(); ++i)
            w.ups.push_back(conv_transpose(prefix + "ups." + std::to_string(i), c.stage_channels(i),
                                           c.stage_channels(i + 1), c.upsample_kernel_sizes[size_t(i)]));
        for (int i = 0; i < c.num_upsamples(); ++i) {
            const int ch = c.stage_channels(i + 1);
            for (int j = 0; j < c.num_kernels(); ++j)
                w.resblocks.push_back(
                    resblock(prefix + "resblocks." + std::to_string(i * c.num_kernels() + j), c, j, ch));
        }
        const int final_ch = c.stage_channels(c.num_upsamples());
        if (c.is_amp()) w.act_post = act1d(prefix + "act_post", final_ch);
        w.conv_post = conv(prefix + "conv_post", final_ch, c.out_channels(), 7, c.use_bias_at_final);
        return w;
    }

private:
    VocoderResBlockWeights resblock(const std::string& name, const VocoderGeneratorConfig& c, int j, int ch) {
        VocoderResBlockWeights r;
        r.kernel_size = c.resblock_kernel_sizes[size_t(j)];
        const auto& dil = c.resblock_dilation_sizes[size_t(j)];
        r.dilations.assign(dil.begin(), dil.begin() + c.convs_per_resblock());
        for (int m = 0; m < c.convs_per_resblock(); ++m) {
            const std::string ms = std::to_string(m);
            if (c.resblock == VocoderResBlock::Type2) {
                r.convs1.push_back(conv(name + ".convs." + ms, ch, ch, r.kernel_size));
                continue;
            }
            r.convs1.push_back(conv(name + ".convs1." + ms, ch, ch, r.kernel_size));
            r.convs2.push_back(conv(name + ".convs2." + ms, ch, ch, r.kernel_size));
            if (c.is_amp()) {
                r.acts1.push_back(act1d(name + ".acts1." + ms, ch));
                r.acts2.push_back(act1d(name + ".acts2." + ms, ch));
            }
        }
        return r;
    }

    bool f32_;
};

}  // namespace

VocoderWeights load_vocoder_weights(const WeightStore& store, const VocoderConfig& c) {
    Loader l(store, c.bwe.has_value());
    VocoderWeights w;
    if (!c.bwe) {
        w.vocoder = l.generator("", c.vocoder);
    } else {
        const VocoderBweConfig& b = *c.bwe;
        w.vocoder = l.generator("vocoder.", c.vocoder);
        w.bwe_generator = l.generator("bwe_generator.", b.generator);
        w.stft_forward_basis = l.tensor("mel_stft.stft_fn.forward_basis", {b.n_fft + 2, 1, b.n_fft});
        w.mel_basis = l.tensor("mel_stft.mel_basis", {b.num_mels, b.n_freqs()});
        // The inverse STFT basis is part of the module but unused by the forward pass.
        store.check("mel_stft.stft_fn.inverse_basis", {b.n_fft + 2, 1, b.n_fft});
    }
    l.reject_unused({}, "the vocoder");
    w.tensor_count = l.count();
    w.bf16 = l.bf16();
    return w;
}

}  // namespace ltx2
