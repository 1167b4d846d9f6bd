#include "models/video_vae/model.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ops/channel_statistics.h"
#include "ops/conv.h"
#include "ops/depth_to_space.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "ops/pixels.h"
#include "ops/pointwise.h"
#include "models/model_version.h"
#include "models/transformer/timestep.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

// ---- weights ----------------------------------------------------------------------------

constexpr const char* kStats = "per_channel_statistics.";

class Loader : public ModelWeightLoader {
public:
    using ModelWeightLoader::ModelWeightLoader;

    Tensor get(const std::string& name, const Shape& shape, bool f32 = false) {
        Tensor t = ModelWeightLoader::get(name, shape);
        return f32 ? t.to(DType::F32) : t;
    }
    VideoVaeConv conv(const std::string& name, int in, int out) {
        return {get(name + ".conv.weight", {out, in, 3, 3, 3}), get(name + ".conv.bias", {out}, true)};
    }
    VideoVaeTimeEmbedder embedder(const std::string& name, int dim) {
        const std::string p = name + ".timestep_embedder.";
        return {get(p + "linear_1.weight", {dim, 2 * kTimestepHalf}), get(p + "linear_1.bias", {dim}, true),
                get(p + "linear_2.weight", {dim, dim}), get(p + "linear_2.bias", {dim}, true)};
    }
    VideoVaeStatistics stats(int ch) {
        VideoVaeStatistics st{get(std::string(kStats) + "std-of-means", {ch}, true),
                              get(std::string(kStats) + "mean-of-means", {ch}, true)};
        // Other statistics files carry (LTX-2: channel, mean-of-stds, ...) are not used by the
        // reference, which loads them non-strictly: taken as read so reject_unused() passes them.
        for (const std::string& name : store_.names())
            if (name.rfind(kStats, 0) == 0) (void)store_.get(name);
        return st;
    }
    // Fails naming every tensor of the file no load step asked for; `other_side` ("encoder.")
    // belongs to the VAE's other half in a shared file.
    void reject_unused_except(const std::string& other_side, const std::string& model) const {
        reject_unused({other_side}, model);
    }
    VideoVaeBlock res_x(const std::string& name, const VaeBlockSpec& spec, int channels, bool conditioned) {
        VideoVaeBlock b;
        b.spec = spec;
        b.in_channels = b.out_channels = channels;
        for (int i = 0; i < spec.num_layers; ++i) {
            const std::string l = fmt::format("{}.res_blocks.{}", name, i);
            VideoVaeResLayer layer;
            layer.conv1 = conv(l + ".conv1", channels, channels);
            layer.conv2 = conv(l + ".conv2", channels, channels);
            if (conditioned) layer.scale_shift_table = get(l + ".scale_shift_table", {4, channels}, true);
            b.layers.push_back(layer);
        }
        if (conditioned) b.time_embedder = embedder(name + ".time_embedder", 4 * channels);
        return b;
    }
};

// ---- ops ----------------------------------------------------------------------------------

// Kernel-3 conv: time padded by repeating frames (causal: 2 copies of the first in front;
// else 1 of the first in front and 1 of the last behind), H and W by 1 with `spatial`.
Tensor causal_conv(const Tensor& x, const VideoVaeConv& c, bool causal, PadMode spatial) {
    Tensor h = pad_nd(x, {causal ? 2 : 1, 0, 0}, {causal ? 0 : 1, 0, 0}, PadMode::Replicate);
    ConvParams p;
    if (spatial == PadMode::Constant) {
        p.pad_before = {0, 1, 1};
        p.pad_after = {0, 1, 1};
    } else {
        h = pad_nd(h, {0, 1, 1}, {0, 1, 1}, spatial);
    }
    return conv_nd(h, c.weight, c.bias, p);
}

constexpr double kPixelNormEps = 1e-8;  // the VAE's PixelNorm

// x[b, c, ...] = x·(1 + scale[b, c]) + shift[b, c]; ada F32 [B, rows, C], rows shift_row, shift_row+1 = scale.
void modulate(Tensor& x, const Tensor& ada, int shift_row) {
    modulate_channels_inplace(x, ada.select(1, shift_row + 1), ada.select(1, shift_row));
}

// [B, D] = linear_2(SiLU(linear_1(sinusoid(t)))).
Tensor time_embedding(const VideoVaeTimeEmbedder& e, const Tensor& sinusoid) {
    Tensor h = linear(sinusoid, e.w1, e.b1);
    silu_inplace(h);
    return linear(h, e.w2, e.b2);
}

// ada[b, k, c] = table[k, c] + emb[b, k·C + c]; table F32 [R, C], emb [B, R·C].
Tensor ada_values(const Tensor& table, const Tensor& emb) {
    const int64_t B = emb.size(0), R = table.size(0), C = table.size(1);
    Tensor out = emb.reshape({B, R, C}).clone();
    for (int64_t b = 0; b < B; ++b) {
        Tensor row = out.select(0, b);
        add_inplace(row, table);
    }
    return out;
}

Tensor norm_mod_silu(const Tensor& x, const Tensor* ada, int shift_row) {
    Tensor h = pixel_norm(x, kPixelNormEps);
    if (ada) modulate(h, *ada, shift_row);
    silu_inplace(h);
    return h;
}

Tensor res_layer(const Tensor& x, const VideoVaeResLayer& l, const Tensor* ada, bool causal, PadMode pad) {
    Tensor h = causal_conv(norm_mod_silu(x, ada, 0), l.conv1, causal, pad);
    h = causal_conv(norm_mod_silu(h, ada, 2), l.conv2, causal, pad);
    add_inplace(h, x.contiguous());
    return h;
}

// Depth-to-space with strides (st, ss, ss) (ops/depth_to_space.h); a time-doubling stride drops
// the first output frame. out [B, C, st·F − (st − 1), ss·H, ss·W].
Tensor depth_to_space(const Tensor& x, int st, int ss) {
    return depth_to_space_3d(x, {st, ss, ss}, st - 1, ChannelLayout::First);
}

// Unpatchify: channel c·p² + r·p + q of [B, Cp², F, H, W] -> channel c at (row p·h + q, col p·w + r).
Tensor unpatchify(const Tensor& x, int p) {
    // Batch and channels are merged so that the permutation fits in six dimensions.
    const int64_t B = x.size(0), C = x.size(1) / (p * p), F = x.size(2), H = x.size(3), W = x.size(4);
    return x.reshape({B * C, p, p, F, H, W})
        .permute({0, 3, 4, 2, 5, 1})
        .reshape({B, C, F, H * p, W * p})
        .to(DType::F32);
}

// The inverse of unpatchify.
Tensor patchify(const Tensor& x, int p) {
    const int64_t B = x.size(0), C = x.size(1), F = x.size(2), H = x.size(3) / p, W = x.size(4) / p;
    return x.reshape({B * C, F, H, p, W, p})
        .permute({0, 5, 3, 1, 2, 4})
        .reshape({B, C * p * p, F, H, W})
        .to(DType::F32);
}

// Per-channel statistics: x·std + mean (denormalize) or (x − mean)/std.
Tensor apply_statistics(const Tensor& x, const VideoVaeStatistics& st, bool denormalize) {
    const Shape per_channel{1, x.size(1), 1, 1, 1};
    return apply_channel_statistics(x, st.std_of_means.reshape(per_channel), st.mean_of_means.reshape(per_channel),
                                    denormalize ? StatisticsDirection::Denormalize : StatisticsDirection::Normalize);
}

void check_5d(const Tensor& x, int channels, const char* what, const char* name) {
    if (!x.defined()) fail("{}: {} is undefined", what, name);
    if (x.dim() != 5)
        fail("{}: {} has shape {}, expected 5 dims (batch, {} channels, frames, height, width)", what, name,
             shape_str(x.shape()), channels);
    if (x.size(1) != channels)
        fail("{}: {} has shape {}, expected {} channels in dim 1 (batch, channels, frames, height, width)", what,
             name, shape_str(x.shape()), channels);
    for (int d = 0; d < 5; ++d)
        if (x.size(d) < 1) fail("{}: {} has shape {}, every dim must be >= 1", what, name, shape_str(x.shape()));
    if (x.dtype() != DType::F32 && x.dtype() != DType::BF16)
        fail("{}: {} has dtype {}, expected F32 or BF16", what, name, dtype_name(x.dtype()));
}

void tap_if(const VideoVaeTap& tap, const std::string& name, const Tensor& t) {
    if (tap) tap(name, t);
}

}  // namespace

VideoVaeConfig video_vae_config(const WeightStore& store) {
    (void)model_semantics(store);  // refuses model versions this build does not run
    return parse_video_vae_config(store.config(), store.describe());
}

// ---- decoder ------------------------------------------------------------------------------

VideoDecoder VideoDecoder::load(const WeightStore& store) { return load(store, video_vae_config(store)); }

VideoDecoder VideoDecoder::load(const WeightStore& store, const VideoVaeConfig& c) {
    Loader l(store);
    VideoDecoder d;
    d.config_ = c;
    d.stats_ = l.stats(c.latent_channels);
    const bool cond = c.timestep_conditioning;
    int width = c.decoder_first_channels();
    d.conv_in = l.conv("decoder.conv_in", c.latent_channels, width);
    for (size_t i = 0; i < c.decoder_blocks.size(); ++i) {
        const VaeBlockSpec& spec = c.decoder_blocks[i];
        const std::string name = fmt::format("decoder.up_blocks.{}", i);
        if (spec.kind == VaeBlockKind::ResX) {
            d.blocks_.push_back(l.res_x(name, spec, width, cond));
        } else {  // an upsampler: conv to stride-volume × width / multiplier, then depth-to-space
            const int volume = spec.stride_volume();
            VideoVaeBlock b;
            b.spec = spec;
            b.in_channels = width;
            b.out_channels = width / spec.multiplier;
            b.conv = l.conv(name + ".conv", width, volume * width / spec.multiplier);
            width = b.out_channels;
            d.blocks_.push_back(b);
        }
    }
    d.conv_out = l.conv("decoder.conv_out", width, c.out_channels * c.patch_size * c.patch_size);
    if (cond) {
        const Tensor m = l.get("decoder.timestep_scale_multiplier", {}, true);
        d.timestep_scale_multiplier_ = m.to_vector().at(0);
        d.last_time_embedder_ = l.embedder("decoder.last_time_embedder", 2 * width);
        d.last_scale_shift_table_ = l.get("decoder.last_scale_shift_table", {2, width}, true);
    }
    l.reject_unused_except("encoder.", "the video VAE decoder");
    return d;
}

Tensor VideoDecoder::decode(const Tensor& latent_in, const DecodeOptions& opt) const {
    const VideoVaeConfig& c = config_;
    const char* what = "video_vae decoder";
    check_5d(latent_in, c.latent_channels, what, "latent");
    const int64_t B = latent_in.size(0);
    if (c.decoder_padding == PadMode::Reflect && (latent_in.size(3) < 2 || latent_in.size(4) < 2))
        fail("{}: latent has shape {}; with reflect padding the latent height and width must be >= 2", what,
             shape_str(latent_in.shape()));
    const bool cond = c.timestep_conditioning;
    const VideoVaeTap& tap = opt.tap;

    Tensor x = latent_in.to(DType::F32);
    std::vector<float> scaled_t;
    if (cond) {
        Tensor noise;
        if (opt.noise.defined()) {
            if (opt.noise.shape() != latent_in.shape())
                fail("{}: noise has shape {}, expected the latent's shape {}", what, shape_str(opt.noise.shape()),
                     shape_str(latent_in.shape()));
            noise = opt.noise.to(DType::F32);
        } else if (opt.generator) {
            const DType nd = latent_in.dtype() == DType::BF16 ? DType::BF16 : DType::F32;
            noise = opt.generator->randn(latent_in.shape(), nd).to(DType::F32);
        } else {
            fail("{}: the decoder is timestep-conditioned (config vae.timestep_conditioning true) and needs decode "
                 "noise: pass a generator or a noise tensor",
                 what);
        }
        tap_if(tap, "noise_randn", noise);
        x = weighted_sum(noise, kDecodeNoiseScale, x, float(1.0 - double(kDecodeNoiseScale)));

        std::vector<float> t = opt.timestep;
        if (t.empty()) t.assign(size_t(B), kDecodeTimestep);
        if (t.size() == 1 && B > 1) t.assign(size_t(B), t[0]);
        if (int64_t(t.size()) != B)
            fail("{}: {} timesteps for a batch of {} (give one per batch item, or one for all)", what, t.size(), B);
        for (float v : t) scaled_t.push_back(v * timestep_scale_multiplier_);
    }
    const Tensor sinusoid = cond ? timestep_sinusoid(scaled_t) : Tensor();

    x = apply_statistics(x, stats_, true);
    tap_if(tap, "latent_denormalized", x);
    x = causal_conv(x, conv_in, c.causal_decoder, c.decoder_padding);
    tap_if(tap, "after_conv_in", x);

    for (size_t i = 0; i < blocks_.size(); ++i) {
        const VideoVaeBlock& b = blocks_[i];
        if (b.spec.kind == VaeBlockKind::ResX) {
            Tensor emb;
            if (cond) {
                emb = time_embedding(b.time_embedder, sinusoid);
                tap_if(tap, fmt::format("up_block.{}.time_embedding", i), emb);
            }
            for (const VideoVaeResLayer& l : b.layers) {
                Tensor ada;
                if (cond) ada = ada_values(l.scale_shift_table, emb);
                x = res_layer(x, l, cond ? &ada : nullptr, c.causal_decoder, c.decoder_padding);
            }
        } else {
            const int st = b.spec.time_stride(), ss = b.spec.space_stride();
            Tensor h = depth_to_space(causal_conv(x, b.conv, c.causal_decoder, c.decoder_padding), st, ss);
            // The input rearranged the same way, its channels repeated to the output width.
            if (b.spec.residual) add_repeated_channels_inplace(h, depth_to_space(x, st, ss));
            x = h;
        }
        tap_if(tap, fmt::format("after_up_block.{}", i), x);
    }

    x = pixel_norm(x, kPixelNormEps);
    tap_if(tap, "after_norm_out", x);
    if (cond) {
        const Tensor emb = time_embedding(last_time_embedder_, sinusoid);
        tap_if(tap, "last_time_embedding", emb);
        modulate(x, ada_values(last_scale_shift_table_, emb), 0);
    }
    silu_inplace(x);
    x = causal_conv(x, conv_out, c.causal_decoder, c.decoder_padding);
    return unpatchify(x, c.patch_size);
}

// ---- encoder ------------------------------------------------------------------------------

VideoEncoder VideoEncoder::load(const WeightStore& store) { return load(store, video_vae_config(store)); }

VideoEncoder VideoEncoder::load(const WeightStore& store, const VideoVaeConfig& c) {
    Loader l(store);
    VideoEncoder e;
    e.config_ = c;
    e.stats_ = l.stats(c.latent_channels);
    int width = c.latent_channels;  // the reference's encoder base width is latent_channels
    const int patch_channels = c.in_channels * c.patch_size * c.patch_size;
    e.conv_in = l.conv("encoder.conv_in", patch_channels, width);
    for (size_t i = 0; i < c.encoder_blocks.size(); ++i) {
        const VaeBlockSpec& spec = c.encoder_blocks[i];
        const std::string name = fmt::format("encoder.down_blocks.{}", i);
        if (spec.kind == VaeBlockKind::ResX) {
            e.blocks_.push_back(l.res_x(name, spec, width, false));
        } else {
            const int P = spec.stride_volume();
            VideoVaeBlock b;
            b.spec = spec;
            b.in_channels = width;
            b.out_channels = width * spec.multiplier;
            if (b.out_channels % P != 0)
                fail("{}: encoder block {} ({}) maps {} channels to {}, not a multiple of {}", store.describe(), i,
                     spec.name, width, b.out_channels, P);
            b.conv = l.conv(name + ".conv", width, b.out_channels / P);
            width = b.out_channels;
            e.blocks_.push_back(b);
        }
    }
    e.conv_out = l.conv("encoder.conv_out", width, c.latent_channels + 1);
    l.reject_unused_except("decoder.", "the video VAE encoder");
    return e;
}

Tensor VideoEncoder::encode(const Tensor& video_in, const VideoVaeTap& tap, FrameCount frame_policy) const {
    const VideoVaeConfig& c = config_;
    const char* what = "video_vae encoder";
    check_5d(video_in, c.in_channels, what, "video");
    int64_t space = c.patch_size;
    for (const VaeBlockSpec& s : c.encoder_blocks)
        space *= s.space_stride();
    if (video_in.size(3) % space != 0 || video_in.size(4) % space != 0)
        fail("{}: video has shape {}; height and width must be multiples of {}", what, shape_str(video_in.shape()),
             space);
    const int64_t frames = video_in.size(2);
    const int64_t keep = frames - (frames - 1) % 8;
    if (keep != frames && frame_policy == FrameCount::Require1Plus8k)
        fail("{}: video has {} frames; the encoder takes 1 + 8k frames (e.g. {} or {})", what, frames, keep,
             keep + 8);
    Tensor x = video_in.slice(2, 0, keep).to(DType::F32);

    x = causal_conv(patchify(x, c.patch_size), conv_in, true, c.encoder_padding);
    tap_if(tap, "after_conv_in", x);
    for (size_t i = 0; i < blocks_.size(); ++i) {
        const VideoVaeBlock& b = blocks_[i];
        if (b.spec.kind == VaeBlockKind::ResX) {
            for (const VideoVaeResLayer& l : b.layers) x = res_layer(x, l, nullptr, true, c.encoder_padding);
        } else {
            const int st = b.spec.time_stride(), ss = b.spec.space_stride();
            if (st == 2) x = pad_nd(x, {1, 0, 0}, {0, 0, 0}, PadMode::Replicate);
            if (x.size(2) % st != 0)
                fail("{}: block {} ({}) gets {} frames (after repeating the first), not divisible by {}", what, i,
                     b.spec.name, x.size(2), st);
            const Tensor skip = space_to_depth_3d(x, {st, ss, ss});  // [B, C·P, ...]
            Tensor h = space_to_depth_3d(causal_conv(x, b.conv, true, c.encoder_padding), {st, ss, ss});
            add_channel_group_means_inplace(h, skip);
            x = h;
        }
        tap_if(tap, fmt::format("after_down_block.{}", i), x);
    }
    x = pixel_norm(x, kPixelNormEps);
    tap_if(tap, "after_norm_out", x);
    silu_inplace(x);
    x = causal_conv(x, conv_out, true, c.encoder_padding);
    tap_if(tap, "conv_out", x);
    return apply_statistics(x.slice(1, 0, c.latent_channels), stats_, false);
}

// ---- post-processing ------------------------------------------------------------------------

namespace {

// Batch item 0 of video [B, 3, F, H, W] as F32 [3, F, H, W].
Tensor first_video(const Tensor& video_in, const char* what) {
    if (!video_in.defined() || video_in.dim() != 5 || video_in.size(1) != 3)
        fail("{}: video has shape {}, expected (batch, 3, frames, height, width)", what,
             video_in.defined() ? shape_str(video_in.shape()) : "undefined");
    return video_in.select(0, 0).to(DType::F32);
}

}  // namespace

Tensor frames_to_rgb(const Tensor& video) { return unit_rgb_frames(first_video(video, "frames_to_rgb")); }

Tensor frames_to_uint8(const Tensor& video) {
    return unit_to_uint8(unit_rgb_frames(first_video(video, "frames_to_uint8")));
}

}  // namespace ltx2
