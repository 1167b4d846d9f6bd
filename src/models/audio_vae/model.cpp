#include "models/audio_vae/model.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/weight_loader.h"
#include "ops/channel_statistics.h"
#include "ops/conv.h"
#include "ops/elementwise.h"
#include "ops/feature_resample.h"
#include "ops/norm.h"

namespace ltx2 {

namespace {

// ---- weights ----------------------------------------------------------------------------

class Loader : public ModelWeightLoader {
public:
    using ModelWeightLoader::ModelWeightLoader;

    Tensor get(const std::string& name, const Shape& shape, bool f32 = false) {
        Tensor t = ModelWeightLoader::get(name, shape);
        return f32 ? t.to(DType::F32) : t;
    }
    AudioVaeConv conv(const std::string& name, int in, int out, int k) {
        return {get(name + ".weight", {out, in, k, k}), get(name + ".bias", {out}, true)};
    }
    AudioVaeResBlock res_block(const std::string& name, int in, int out) {
        AudioVaeResBlock b;
        b.conv1 = conv(name + ".conv1.conv", in, out, 3);
        b.conv2 = conv(name + ".conv2.conv", out, out, 3);
        if (in != out) b.nin_shortcut = conv(name + ".nin_shortcut.conv", in, out, 1);
        return b;
    }
    AudioVaeStatistics stats(int ch) {
        return {get("per_channel_statistics.std-of-means", {ch}, true),
                get("per_channel_statistics.mean-of-means", {ch}, true)};
    }
};

// ---- ops ----------------------------------------------------------------------------------

// Causal 3x3 conv along time: 2 zero rows before in time, 1 zero column each side in frequency.
Tensor causal_conv(const Tensor& x, const AudioVaeConv& c) {
    ConvParams p;
    p.pad_before = {2, 1};
    p.pad_after = {0, 1};
    return conv_nd(x, c.weight, c.bias, p);
}

Tensor conv1x1(const Tensor& x, const AudioVaeConv& c) { return conv_nd(x, c.weight, c.bias, ConvParams{}); }

constexpr double kPixelNormEps = 1e-6;  // the VAE's PixelNorm

Tensor norm_silu(const Tensor& x) {
    Tensor h = pixel_norm(x, kPixelNormEps);
    silu_inplace(h);
    return h;
}

Tensor res_block(const Tensor& x, const AudioVaeResBlock& b) {
    Tensor h = causal_conv(norm_silu(x), b.conv1);
    h = causal_conv(norm_silu(h), b.conv2);
    Tensor skip = b.nin_shortcut.weight.defined() ? conv1x1(x, b.nin_shortcut) : x.contiguous();
    add_inplace(h, skip);
    return h;
}

// Statistics over the latent flattened per frame as C·F values (index c·F + f).
Tensor apply_statistics(const Tensor& x, const AudioVaeStatistics& s, bool denormalize, const char* what) {
    const int64_t C = x.size(1), F = x.size(3);
    const int64_t n = s.std_of_means.size(0);
    if (C * F != n)
        fail("{}: latent has {} channels x {} mel bins = {} values per frame, the latent statistics have {}", what, C,
             F, C * F, n);
    const Shape per_bin{1, C, 1, F};
    return apply_channel_statistics(x, s.std_of_means.reshape(per_bin), s.mean_of_means.reshape(per_bin),
                                    denormalize ? StatisticsDirection::Denormalize : StatisticsDirection::Normalize);
}

void check_input(const Tensor& x, int channels, const char* what, const char* name) {
    if (!x.defined()) fail("{}: {} is undefined", what, name);
    if (x.dim() != 4)
        fail("{}: {} has shape {}, expected 4 dims (batch, {} channels, frames, frequency bins)", what, name,
             shape_str(x.shape()), channels);
    if (x.size(1) != channels)
        fail("{}: {} has shape {}, expected {} channels in dim 1 (batch, channels, frames, frequency bins)", what, name,
             shape_str(x.shape()), channels);
    if (x.size(0) < 1 || x.size(2) < 1 || x.size(3) < 1)
        fail("{}: {} has shape {}, every dim must be >= 1", what, name, shape_str(x.shape()));
}

void tap_if(const AudioVaeTap& tap, const std::string& name, const Tensor& t) {
    if (tap) tap(name, t);
}

}  // namespace

AudioVaeConfig audio_vae_config(const WeightStore& store) {
    return parse_audio_vae_config(store.config(), store.describe());
}

// ---- decoder ------------------------------------------------------------------------------

AudioDecoder AudioDecoder::load(const WeightStore& store) { return load(store, audio_vae_config(store)); }

AudioDecoder AudioDecoder::load(const WeightStore& store, const AudioVaeConfig& c) {
    Loader l(store);
    AudioDecoder d;
    d.config_ = c;
    d.stats_ = l.stats(c.ch);
    int block_in = c.top_channels();
    d.conv_in = l.conv("decoder.conv_in.conv", c.z_channels, block_in, 3);
    d.mid1 = l.res_block("decoder.mid.block_1", block_in, block_in);
    d.mid2 = l.res_block("decoder.mid.block_2", block_in, block_in);
    d.up_blocks.resize(size_t(c.levels()));
    d.upsample.resize(size_t(c.levels()));
    for (int level = c.levels() - 1; level >= 0; --level) {
        const int block_out = c.ch * c.ch_mult[size_t(level)];
        for (int i = 0; i <= c.num_res_blocks; ++i) {
            d.up_blocks[size_t(level)].push_back(
                l.res_block(fmt::format("decoder.up.{}.block.{}", level, i), block_in, block_out));
            block_in = block_out;
        }
        if (level != 0)
            d.upsample[size_t(level)] = l.conv(fmt::format("decoder.up.{}.upsample.conv.conv", level), block_in, block_in, 3);
    }
    d.conv_out = l.conv("decoder.conv_out.conv", block_in, c.out_ch, 3);
    l.reject_unused({"encoder."}, "the audio VAE decoder");
    return d;
}

Tensor AudioDecoder::forward(const Tensor& latent_in, const AudioVaeTap& tap) const {
    const AudioVaeConfig& c = config_;
    const char* what = "audio_vae decoder";
    check_input(latent_in, c.z_channels, what, "latent");
    const Tensor latent = latent_in.to(DType::F32);
    const int frames = int(latent.size(2));

    Tensor h = apply_statistics(latent, stats_, true, what);
    tap_if(tap, "latent_denormalized", h);
    h = causal_conv(h, conv_in);
    tap_if(tap, "after_conv_in", h);
    h = res_block(h, mid1);
    h = res_block(h, mid2);
    tap_if(tap, "after_mid", h);
    for (int level = c.levels() - 1; level >= 0; --level) {
        for (const AudioVaeResBlock& b : up_blocks[size_t(level)]) h = res_block(h, b);
        if (level != 0) {
            h = causal_conv(upsample_nearest_2x(h), upsample[size_t(level)]);
            h = h.slice(2, 1, h.size(2)).contiguous();  // drop the first time row
            tap_if(tap, fmt::format("after_up_level.{}.upsample", level), h);
        } else {
            tap_if(tap, fmt::format("after_up_level.{}", level), h);
        }
    }
    h = pixel_norm(h, kPixelNormEps);
    tap_if(tap, "after_norm_out", h);
    silu_inplace(h);
    h = causal_conv(h, conv_out);
    tap_if(tap, "conv_out_before_shape_fit", h);

    // Fit to (out_ch, decoded frames, mel_bins): crop, then zero-pad at the end.
    const int64_t target_t = c.decoded_frames(frames), target_f = c.mel_bins;
    const int64_t keep_t = std::min(h.size(2), target_t), keep_f = std::min(h.size(3), target_f);
    Tensor out = Tensor::zeros({h.size(0), h.size(1), target_t, target_f});
    out.slice(2, 0, keep_t).slice(3, 0, keep_f).copy_from(h.slice(2, 0, keep_t).slice(3, 0, keep_f));
    return out;
}

// ---- encoder ------------------------------------------------------------------------------

AudioEncoder AudioEncoder::load(const WeightStore& store) { return load(store, audio_vae_config(store)); }

AudioEncoder AudioEncoder::load(const WeightStore& store, const AudioVaeConfig& c) {
    Loader l(store);
    AudioEncoder e;
    e.config_ = c;
    e.stats_ = l.stats(c.ch);
    e.conv_in = l.conv("encoder.conv_in.conv", c.in_channels, c.ch, 3);
    e.down_blocks.resize(size_t(c.levels()));
    e.downsample.resize(size_t(c.levels()));
    int block_in = c.ch;
    for (int level = 0; level < c.levels(); ++level) {
        block_in = c.ch * (level == 0 ? 1 : c.ch_mult[size_t(level - 1)]);
        const int block_out = c.ch * c.ch_mult[size_t(level)];
        for (int i = 0; i < c.num_res_blocks; ++i) {
            e.down_blocks[size_t(level)].push_back(
                l.res_block(fmt::format("encoder.down.{}.block.{}", level, i), block_in, block_out));
            block_in = block_out;
        }
        if (level != c.levels() - 1)
            e.downsample[size_t(level)] = l.conv(fmt::format("encoder.down.{}.downsample.conv", level), block_in, block_in, 3);
    }
    e.mid1 = l.res_block("encoder.mid.block_1", block_in, block_in);
    e.mid2 = l.res_block("encoder.mid.block_2", block_in, block_in);
    e.conv_out = l.conv("encoder.conv_out.conv", block_in, c.double_z ? 2 * c.z_channels : c.z_channels, 3);
    l.reject_unused({"decoder."}, "the audio VAE encoder");
    return e;
}

Tensor AudioEncoder::forward(const Tensor& mel_in, const AudioVaeTap& tap) const {
    const AudioVaeConfig& c = config_;
    const char* what = "audio_vae encoder";
    check_input(mel_in, c.in_channels, what, "mel spectrogram");
    if (mel_in.size(3) != c.mel_bins)
        fail("{}: mel spectrogram has shape {}, expected {} mel bins in dim 3", what, shape_str(mel_in.shape()),
             c.mel_bins);
    Tensor h = causal_conv(mel_in.to(DType::F32), conv_in);
    tap_if(tap, "after_conv_in", h);
    for (int level = 0; level < c.levels(); ++level) {
        for (const AudioVaeResBlock& b : down_blocks[size_t(level)]) h = res_block(h, b);
        if (level != c.levels() - 1) {
            ConvParams p;
            p.strides = {2, 2};
            p.pad_before = {2, 0};
            p.pad_after = {0, 1};
            h = conv_nd(h, downsample[size_t(level)].weight, downsample[size_t(level)].bias, p);
        }
        tap_if(tap, fmt::format("after_down_level.{}", level), h);
    }
    h = res_block(h, mid1);
    h = res_block(h, mid2);
    tap_if(tap, "after_mid", h);
    h = norm_silu(h);
    h = causal_conv(h, conv_out);
    tap_if(tap, "conv_out", h);
    const Tensor means = h.slice(1, 0, c.z_channels).contiguous();
    return apply_statistics(means, stats_, false, what);
}

}  // namespace ltx2
