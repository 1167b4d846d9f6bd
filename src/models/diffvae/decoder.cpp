#include "models/diffvae/decoder.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ops/channel_statistics.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/rope.h"
#include "ops/views.h"
#include "models/diffvae/blocks.h"
#include "models/diffvae/geometry.h"
#include "models/transformer/timestep.h"

namespace ltx2 {

namespace {

constexpr int kWChunks = 4;  // the stage-5 attention slabs of the reference's chunked mode

Tensor project(const Tensor& x, const DiffVaeLinear& l) { return linear(x, l.weight, l.bias); }

// The attention products stay float32 with either weight precision: bf16 ones (the kernel has
// them) move the tiny golden's output by 7 % of its range over the 28 blocks, above the bf16
// criterion the tests hold the decoder to.
DiffVaeAttentionShape attention_shape(const DiffVaeConfig& c, int channels, const Int3& kernel) {
    return {channels / c.head_dim, c.head_dim, rope_3axis_default_split(c.head_dim), kernel, Precision::F32};
}

// Copies of the last latent frame appended before stages 1-4 and cropped from the stage-4 output
// (the reference's guard against the window shift at the last frame).
int64_t ghost_latent_frames(const DiffVaeConfig& c) { return c.stage_kernels[0][0] / 2 * 2; }

// Frames after an upsample of time stride st (a doubling drops its first frame).
int64_t upsampled_frames(int64_t t, int st) { return st == 2 ? 2 * t - 1 : t * st; }

// Channels-last latent [1, T, H, W, C] of z [1, C, T, H, W]: z · std + mean per channel.
Tensor un_normalize(const Tensor& z, const Tensor& std_of_means, const Tensor& mean_of_means) {
    const Shape per_channel{1, 1, 1, 1, z.size(1)};
    return apply_channel_statistics(z.permute({0, 2, 3, 4, 1}), std_of_means.reshape(per_channel),
                                    mean_of_means.reshape(per_channel), StatisticsDirection::Denormalize);
}

// Pixels [1, C, F, p·h, p·w] -> [1, F, h, w, C·p²], channel c·p² + r·p + q for the pixel at
// row offset q and column offset r inside its patch.
Tensor patchify_channels_last(const Tensor& x, int p) {
    const int64_t C = x.size(1), F = x.size(2), h = x.size(3) / p, w = x.size(4) / p;
    return x.reshape({C, F, h, p, w, p}).permute({1, 2, 4, 0, 5, 3}).contiguous().reshape({1, F, h, w, C * p * p});
}

// The inverse: [1, F, h, w, C·p²] -> [1, C, F, p·h, p·w].
Tensor unpatchify_channels_last(const Tensor& x, int p) {
    const int64_t F = x.size(1), h = x.size(2), w = x.size(3), C = x.size(4) / (p * p);
    return x.reshape({F, h, w, C, p, p}).permute({3, 0, 1, 5, 2, 4}).contiguous().reshape({1, C, F, h * p, w * p});
}

}  // namespace

DiffVaeDecoder DiffVaeDecoder::load(const WeightStore& store, DiffVaeWeightPrecision precision) {
    return load(store, parse_diffvae_config(store.config(), store.describe()), precision);
}

DiffVaeDecoder DiffVaeDecoder::load(const WeightStore& store, const DiffVaeConfig& config,
                                    DiffVaeWeightPrecision precision) {
    DiffVaeDecoder d;
    d.config_ = config;
    d.w_ = load_diffvae_weights(store, config, precision);
    d.source_ = store.describe();
    return d;
}

Shape DiffVaeDecoder::noise_canvas_shape(const Shape& latent) const {
    if (latent.size() != 5 || latent[1] != config_.in_channels || shape_numel(latent) == 0)
        fail("DiffVAE decode: latent has shape {}, expected [B, {}, T, H, W] with every size >= 1", shape_str(latent),
             config_.in_channels);
    const Int3 mins = diffvae_min_latent_shape(config_);
    int64_t t = std::max<int64_t>(latent[2], mins[0]), h = std::max<int64_t>(latent[3], mins[1]),
            w = std::max<int64_t>(latent[4], mins[2]);
    for (int s = 0; s < 3; ++s) {
        const Int3& st = config_.upsamples[size_t(s)].stride;
        t = upsampled_frames(t, st[0]);
        h *= st[1];
        w *= st[2];
    }
    const Int3& up3 = config_.upsamples[3].stride;
    const int64_t frames = std::max<int64_t>(upsampled_frames(t, up3[0]), config_.stage5_kernel[0]);
    return {latent[0], config_.out_channels, frames, h * up3[1] * config_.patch_size, w * up3[2] * config_.patch_size};
}

void DiffVaeDecoder::check_latent(const Tensor& latent) const {
    if (!latent.defined()) return;
    if (latent.dim() != 5 || latent.size(1) != config_.in_channels || latent.numel() == 0)
        fail("DiffVAE decode: latent has shape {}, expected [B, {}, T, H, W] with every size >= 1",
             shape_str(latent.shape()), config_.in_channels);
    if (latent.dtype() != DType::F32 && latent.dtype() != DType::BF16)
        fail("DiffVAE decode: latent has dtype {}, expected F32 or BF16", dtype_name(latent.dtype()));
}

Tensor DiffVaeDecoder::floored_latent(const Tensor& latent, int64_t b, AxisPad* h_pad, AxisPad* w_pad) const {
    const Int3 mins = diffvae_min_latent_shape(config_);
    Tensor z = latent.slice(0, b, b + 1).to(DType::F32);
    z = resize_axis(z, 2, std::max<int64_t>(z.size(2), mins[0]), AxisResize::RepeatLast);
    z = resize_axis(z, 3, std::max<int64_t>(z.size(3), mins[1]), AxisResize::Symmetric, h_pad);
    z = resize_axis(z, 4, std::max<int64_t>(z.size(4), mins[2]), AxisResize::Symmetric, w_pad);
    return resize_axis(z, 2, z.size(2) + ghost_latent_frames(config_), AxisResize::RepeatLast);
}

Tensor DiffVaeDecoder::stage4_input(const Tensor& z, const DiffVaeTap& tap) const {
    const DiffVaeConfig& c = config_;
    Tensor x = project(un_normalize(z, w_.std_of_means, w_.mean_of_means), w_.conv_in);
    static const char* kTaps[3] = {"stage1_out", "stage2_out", "stage4_in"};
    for (int s = 0; s < 3; ++s) {
        const DiffVaeAttentionShape shape = attention_shape(c, c.stage_channels[size_t(s)], c.stage_kernels[size_t(s)]);
        for (const DiffVaeNABlock& b : w_.stages[size_t(s)]) diffvae_na_block(b, shape, x);
        x = pixel_shuffle_channels_last(project(x, w_.upsamples[size_t(s)]), c.upsamples[size_t(s)].stride);
        if (tap) tap(kTaps[s], x);
    }
    return x;
}

Tensor DiffVaeDecoder::stage4_context(Tensor x, bool trailing, const DiffVaeTap& tap) const {
    const DiffVaeConfig& c = config_;
    // Stage 4 runs at its input resolution; its upsample is applied inside the diffusion stage.
    x = x.contiguous();
    const DiffVaeAttentionShape shape4 = attention_shape(c, c.stage_channels[3], c.stage_kernels[3]);
    for (const DiffVaeNABlock& b : w_.stages[3]) diffvae_na_block(b, shape4, x);
    if (!trailing) return x;

    // Crop the ghost frames appended to the latent, keeping enough for the stage-5 window.
    const int up_t = c.upsamples[3].stride[0];
    const int64_t ghost = ghost_latent_frames(c) * (DiffVaeConfig::kTimeFactor / up_t);
    const int64_t frames = x.size(1), content = std::max<int64_t>(frames - ghost, 1);
    const int64_t keep = std::min(frames, std::max<int64_t>(content, std::max(1, (c.stage5_kernel[0] + up_t - 1) / up_t)));
    x = resize_axis(x, 1, keep, AxisResize::RepeatLast);
    if (tap) tap("stage4_context", x);
    return x;
}

Tensor DiffVaeDecoder::diffusion_stage(const Tensor& context, const Tensor& canvas, bool origin,
                                       const DiffVaeTap& tap) const {
    const DiffVaeConfig& c = config_;
    const int c5 = c.stage5_channels;
    // One step at t = 1 (the schedule linspace(1, 1/n, n) with n = 1).
    const float t = float(c.timestep_scale_multiplier * 1.0);
    Tensor h = project(timestep_sinusoid({t}), w_.t_linear_1);
    silu_inplace(h);
    const Tensor t_emb = project(h, w_.t_linear_2);
    if (tap) tap("t_emb", t_emb);
    Tensor act = t_emb.clone();
    silu_inplace(act);
    const Tensor modulation = project(act, w_.adaln).reshape({7, c5});
    if (tap) tap("modulation", modulation);

    const Tensor context_up =
        pixel_shuffle_channels_last(project(context, w_.upsamples[3]), c.upsamples[3].stride, origin);
    Tensor x = project(patchify_channels_last(canvas, c.patch_size), w_.conv_in_x_t);
    const DiffVaeAttentionShape shape = attention_shape(c, c5, c.stage5_kernel);
    for (const DiffVaeDiffusionBlock& b : w_.diff_blocks) {
        auto row = [&](int r) {
            Tensor m = modulation.slice(0, r, r + 1).clone();
            add_inplace(m, b.scale_shift_table.slice(0, r, r + 1).contiguous());
            return m.reshape({1, 1, c5});
        };
        // Rows: scale_msa, shift_msa, gate_msa, scale_mlp, shift_mlp, gate_mlp, gate_ctx (gates unused).
        const DiffVaeModulation mod{row(0), row(1), row(3), row(4)};
        diffvae_diffusion_block(b, shape, mod, context_up, kWChunks, x);
    }
    const Tensor out = diffvae_project_rows(x, w_.norm_out, w_.conv_out);
    return unpatchify_channels_last(out, c.patch_size);
}

Tensor DiffVaeDecoder::decode(const Tensor& latent_in, const Tensor& canvas_in, const DiffVaeTap& tap) const {
    check_latent(latent_in);
    const DiffVaeConfig& c = config_;
    const Shape canvas_shape = noise_canvas_shape(latent_in.shape());
    if (!canvas_in.defined() || canvas_in.shape() != canvas_shape)
        fail("DiffVAE decode: noise canvas has shape {}, expected {} for latent {}",
             canvas_in.defined() ? shape_str(canvas_in.shape()) : std::string("(none)"), shape_str(canvas_shape),
             shape_str(latent_in.shape()));
    const int64_t B = latent_in.size(0), T = latent_in.size(2), H = latent_in.size(3), W = latent_in.size(4);
    const int64_t frames = (T - 1) * DiffVaeConfig::kTimeFactor + 1, S = DiffVaeConfig::kSpaceFactor;
    Tensor video = Tensor::zeros({B, c.out_channels, frames, S * H, S * W});
    for (int64_t b = 0; b < B; ++b) {
        AxisPad h_pad, w_pad;
        const Tensor z = floored_latent(latent_in, b, &h_pad, &w_pad);
        const int64_t padded_frames = (z.size(2) - ghost_latent_frames(c) - 1) * DiffVaeConfig::kTimeFactor + 1;
        const DiffVaeTap item_tap = b == 0 ? tap : DiffVaeTap();
        const Tensor ctx = stage4_context(stage4_input(z, item_tap), true, item_tap);
        const Tensor canvas = canvas_in.slice(0, b, b + 1).to(DType::F32);
        Tensor pixels = diffusion_stage(ctx, canvas, true, item_tap);
        pixels = resize_axis(pixels, 2, padded_frames, AxisResize::RepeatLast);
        const int64_t r0 = S * h_pad.before, c0 = S * w_pad.before;
        copy_into_view(video.slice(0, b, b + 1),
                       pixels.slice(2, 0, frames).slice(3, r0, r0 + S * H).slice(4, c0, c0 + S * W));
    }
    return video;
}

Tensor DiffVaeDecoder::decode(const Tensor& latent, TorchGenerator& generator, const DiffVaeTap& tap) const {
    check_latent(latent);
    return decode(latent, generator.randn(noise_canvas_shape(latent.shape()), DType::F32), tap);
}

}  // namespace ltx2
