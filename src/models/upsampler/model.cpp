#include "models/upsampler/model.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/weight_loader.h"
#include "ops/channel_statistics.h"
#include "ops/conv.h"
#include "ops/elementwise.h"
#include "ops/group_norm.h"
#include "models/upsampler/ops.h"

namespace ltx2 {

namespace {

constexpr int kGroups = 32;
constexpr float kNormEps = 1e-5f;

class Loader : public ModelWeightLoader {
public:
    using ModelWeightLoader::ModelWeightLoader;

    // A kernel-3 convolution: 3-D, or 2-D (per frame) when `frame_wise`.
    UpsamplerConv conv(const std::string& name, int64_t in, int64_t out, bool frame_wise) {
        UpsamplerConv c;
        c.weight = frame_wise ? get(name + ".weight", {out, in, 3, 3}) : get(name + ".weight", {out, in, 3, 3, 3});
        c.bias = get(name + ".bias", {out});
        return c;
    }

    UpsamplerNorm norm(const std::string& name, int64_t channels) {
        return {get(name + ".weight", {channels}).to(DType::F32), get(name + ".bias", {channels}).to(DType::F32)};
    }

    UpsamplerResBlock res_block(const std::string& name, int64_t channels, bool frame_wise) {
        UpsamplerResBlock b;
        b.conv1 = conv(name + ".conv1", channels, channels, frame_wise);
        b.norm1 = norm(name + ".norm1", channels);
        b.conv2 = conv(name + ".conv2", channels, channels, frame_wise);
        b.norm2 = norm(name + ".norm2", channels);
        return b;
    }

};

// Kernel-3, padding-1 convolution. A 4-D weight is a 2-D conv applied to every frame
// (the reference's "(b f) c h w" rearrangement), run as a 3-D conv with a depth-1 kernel.
Tensor conv3(const Tensor& x, const UpsamplerConv& c) {
    ConvParams p;
    if (c.weight.dim() == 4) {
        const Tensor w = c.weight.reshape({c.weight.size(0), c.weight.size(1), 1, 3, 3});
        p.pad_before = p.pad_after = {0, 1, 1};
        return conv_nd(x, w, c.bias, p);
    }
    p.pad_before = p.pad_after = {1, 1, 1};
    return conv_nd(x, c.weight, c.bias, p);
}

void norm_inplace(Tensor& x, const UpsamplerNorm& n, bool per_frame, bool silu) {
    group_norm_inplace(x, kGroups, n.weight, n.bias, kNormEps, per_frame, silu);
}

Tensor res_block(const Tensor& x, const UpsamplerResBlock& b, bool per_frame) {
    Tensor h = conv3(x, b.conv1);
    norm_inplace(h, b.norm1, per_frame, true);
    h = conv3(h, b.conv2);
    norm_inplace(h, b.norm2, per_frame, false);
    add_inplace(h, x);
    silu_inplace(h);
    return h;
}

}  // namespace

LatentUpsampler LatentUpsampler::load(const WeightStore& store) {
    return load(store, parse_upsampler_config(store.config(), store.describe()));
}

LatentUpsampler LatentUpsampler::load(const WeightStore& store, const UpsamplerConfig& config) {
    const UpsamplerConfig& c = config;
    if (c.mode == UpsamplerMode::SpatialRational && c.dims != 3)
        fail("{}: the rational resampler works on [B, C, F, H, W] activations and needs dims 3, config has dims {}",
             store.describe(), c.dims);
    LatentUpsampler m;
    m.config_ = c;
    UpsamplerWeights& w = m.weights_;
    Loader l(store);
    const bool frame_wise = c.dims == 2;
    const int64_t in = c.in_channels, mid = c.mid_channels;
    w.initial_conv = l.conv("initial_conv", in, mid, frame_wise);
    w.initial_norm = l.norm("initial_norm", mid);
    for (int i = 0; i < c.num_blocks_per_stage; ++i)
        w.res_blocks.push_back(l.res_block("res_blocks." + std::to_string(i), mid, frame_wise));
    switch (c.mode) {
        case UpsamplerMode::Spatial: w.upsampler = l.conv("upsampler.0", mid, 4 * mid, true); break;
        case UpsamplerMode::SpatialRational:
            w.upsampler = l.conv("upsampler.conv", mid, int64_t(c.scale_num) * c.scale_num * mid, true);
            w.blur_kernel = l.get("upsampler.blur_down.kernel", {1, 1, 5, 5}).to(DType::F32);
            break;
        case UpsamplerMode::Temporal: w.upsampler = l.conv("upsampler.0", mid, 2 * mid, false); break;
        case UpsamplerMode::SpatioTemporal: w.upsampler = l.conv("upsampler.0", mid, 8 * mid, false); break;
    }
    for (int i = 0; i < c.num_blocks_per_stage; ++i)
        w.post_upsample_res_blocks.push_back(l.res_block("post_upsample_res_blocks." + std::to_string(i), mid, frame_wise));
    w.final_conv = l.conv("final_conv", mid, in, frame_wise);
    l.reject_unused({}, "the latent upsampler");
    w.tensor_count = l.count();
    return m;
}

Shape LatentUpsampler::output_shape(const Shape& s) const {
    const UpsamplerConfig& c = config_;
    if (s.size() != 5)
        fail("latent upsampler: latent must be [B, C, F, H, W] (5 dims), got {}", shape_str(s));
    if (s[1] != c.in_channels)
        fail("latent upsampler: latent {} has {} channels, the upsampler expects in_channels = {}", shape_str(s), s[1],
             c.in_channels);
    for (int d = 0; d < 5; ++d)
        if (s[size_t(d)] < 1) fail("latent upsampler: latent {} has an empty dimension", shape_str(s));
    Shape out = s;
    switch (c.mode) {
        case UpsamplerMode::Spatial: out[3] *= 2; out[4] *= 2; break;
        case UpsamplerMode::SpatialRational:
            for (int d : {3, 4}) {
                const int64_t up = s[size_t(d)] * c.scale_num;
                out[size_t(d)] = c.scale_den == 1 ? up : (up + 2 * 2 - 5) / c.scale_den + 1;
            }
            break;
        case UpsamplerMode::Temporal: out[2] = 2 * s[2] - 1; break;
        case UpsamplerMode::SpatioTemporal: out[2] = 2 * s[2] - 1; out[3] *= 2; out[4] *= 2; break;
    }
    return out;
}

Tensor LatentUpsampler::forward(const Tensor& latent, const UpsamplerTap& tap) const {
    if (!latent.defined()) fail("latent upsampler: the latent is undefined");
    const Shape expected = output_shape(latent.shape());
    if (!dtype_is_float(latent.dtype()))
        fail("latent upsampler: latent has dtype {}, expected a floating type", dtype_name(latent.dtype()));
    const UpsamplerConfig& c = config_;
    const UpsamplerWeights& w = weights_;
    const bool per_frame = c.dims == 2;
    auto observe = [&](const std::string& name, const Tensor& t) {
        if (tap) tap(name, t);
    };

    Tensor x = conv3(latent.to(DType::F32), w.initial_conv);
    norm_inplace(x, w.initial_norm, per_frame, true);
    observe("after_initial", x);
    for (size_t i = 0; i < w.res_blocks.size(); ++i) {
        x = res_block(x, w.res_blocks[i], per_frame);
        observe("after_res_block." + std::to_string(i), x);
    }

    x = conv3(x, w.upsampler);
    switch (c.mode) {
        case UpsamplerMode::Spatial: x = pixel_shuffle_3d(x, 1, 2, 2); break;
        case UpsamplerMode::SpatialRational:
            x = pixel_shuffle_3d(x, 1, c.scale_num, c.scale_num);
            x = blur_downsample(x, c.scale_den, w.blur_kernel);
            break;
        case UpsamplerMode::Temporal: x = pixel_shuffle_3d(x, 2, 1, 1); break;
        case UpsamplerMode::SpatioTemporal: x = pixel_shuffle_3d(x, 2, 2, 2); break;
    }
    observe("after_upsampler", x);
    // The first latent frame encodes a single pixel frame: drop its duplicate.
    if (c.upsamples_time()) x = x.slice(2, 1, x.size(2)).contiguous();

    for (size_t i = 0; i < w.post_upsample_res_blocks.size(); ++i) {
        x = res_block(x, w.post_upsample_res_blocks[i], per_frame);
        observe("after_post_res_block." + std::to_string(i), x);
    }
    x = conv3(x, w.final_conv);
    LTX2_CHECK(x.shape() == expected, "latent upsampler: output {} differs from the expected {}", shape_str(x.shape()),
               shape_str(expected));
    return x;
}

Tensor upsample_video(const LatentUpsampler& upsampler, const Tensor& latent, const Tensor& mean_of_means,
                      const Tensor& std_of_means, const UpsamplerTap& tap) {
    if (!latent.defined()) fail("upsample_video: the latent is undefined");
    upsampler.output_shape(latent.shape());  // validates rank and channels first
    const int64_t C = latent.size(1);
    for (const auto& [name, t] : {std::pair<const char*, const Tensor*>{"mean-of-means", &mean_of_means},
                                  {"std-of-means", &std_of_means}})
        if (!t->defined() || t->numel() != C || t->dim() != 1)
            fail("upsample_video: per-channel statistic '{}' has shape {}, expected [{}]", name,
                 t->defined() ? shape_str(t->shape()) : std::string("(undefined)"), C);
    Shape per_channel(size_t(latent.dim()), 1);
    per_channel[1] = C;
    const Tensor mean = mean_of_means.to(DType::F32).reshape(per_channel);
    const Tensor stdv = std_of_means.to(DType::F32).reshape(per_channel);
    const Tensor x = apply_channel_statistics(latent.to(DType::F32), stdv, mean, StatisticsDirection::Denormalize);
    return apply_channel_statistics(upsampler.forward(x, tap), stdv, mean, StatisticsDirection::Normalize);
}

}  // namespace ltx2
