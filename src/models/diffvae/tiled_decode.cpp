// DiffVaeDecoder's tiled decode: stages 1-3 once, stages 4-5 per tile of the stage-4 grid,
// pixels blended with the schedule's separable masks.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "models/diffvae/decoder.h"
#include "models/diffvae/tiling_budget.h"
#include "ops/tile_blend.h"
#include "ops/views.h"

namespace ltx2 {

DiffVaeTileSizes DiffVaeDecoder::tile_sizes(const Shape& latent_shape, const DiffVaeTiling& tiling) const {
    if (tiling.budget_bytes <= 0) return tiling.sizes;
    return diffvae_tiling_for_budget(config_, latent_shape, tiling.budget_bytes, tiling.resident_bytes);
}

DiffVaeTileSchedule DiffVaeDecoder::tile_schedule(const Shape& latent_shape, const DiffVaeTileSizes& sizes) const {
    (void)noise_canvas_shape(latent_shape);  // checks the shape
    const Int3 mins = diffvae_min_latent_shape(config_);
    const Int3 floored{int(std::max<int64_t>(latent_shape[2], mins[0])), int(std::max<int64_t>(latent_shape[3], mins[1])),
                       int(std::max<int64_t>(latent_shape[4], mins[2]))};
    return diffvae_tile_schedule(config_, diffvae_stage4_extent(config_, floored), sizes);
}

Tensor DiffVaeDecoder::decode(const Tensor& latent, TorchGenerator& generator, const DiffVaeTiling& tiling,
                              const DiffVaeTap& tap) const {
    check_latent(latent);
    const DiffVaeConfig& c = config_;
    const DiffVaeTileSchedule sched = tile_schedule(latent.shape(), tile_sizes(latent.shape(), tiling));
    const bool complementary = sched.complementary();
    const int64_t B = latent.size(0), C = c.out_channels;
    const int up_t = c.upsamples[3].stride[0];

    std::vector<Tensor> features;  // stage-4 input per batch item, ghost frames included
    AxisPad h_pad, w_pad;
    for (int64_t b = 0; b < B; ++b)
        features.push_back(stage4_input(floored_latent(latent, b, &h_pad, &w_pad), b == 0 ? tap : DiffVaeTap()));
    const int64_t content_frames = sched.t.back().in_end;  // stage-4 frames before the ghosts

    const Shape work_shape{B, C, sched.out_frames, sched.out_height, sched.out_width};
    Tensor work = Tensor::zeros(work_shape);
    Tensor work_weights = complementary ? Tensor() : Tensor::zeros(work_shape);
    const size_t n = sched.num_tiles();
    size_t done = 0;
    auto mask_tensor = [](const std::vector<float>& m) { return Tensor::from_f32({int64_t(m.size())}, m); };
    std::vector<Tensor> masks_h, masks_w;
    for (const DiffVaeAxisTile& th : sched.h) masks_h.push_back(mask_tensor(th.mask));
    for (const DiffVaeAxisTile& tw : sched.w) masks_w.push_back(mask_tensor(tw.mask));
    for (const DiffVaeAxisTile& tt : sched.t) {
        const Tensor mask_t = mask_tensor(tt.mask);
        // One temporal group is blended on its own, then added into the video.
        const Shape group_shape{B, C, tt.out_end - tt.out_start, sched.out_height, sched.out_width};
        Tensor group = Tensor::zeros(group_shape);
        Tensor group_weights = complementary ? Tensor() : Tensor::zeros(group_shape);
        const bool origin = tt.in_start == 0, trailing = tt.in_end == content_frames;
        int64_t frames5 = (tt.in_end - tt.in_start) * up_t - (origin && up_t == 2 ? 1 : 0);
        if (trailing) frames5 = std::max<int64_t>(frames5, c.stage5_kernel[0]);
        for (size_t j = 0; j < sched.h.size(); ++j)
            for (size_t k = 0; k < sched.w.size(); ++k) {
                const DiffVaeAxisTile &th = sched.h[j], &tw = sched.w[k];
                const Tensor canvas = generator.randn(
                    {B, C, frames5, th.out_end - th.out_start, tw.out_end - tw.out_start}, DType::F32);
                for (int64_t b = 0; b < B; ++b) {
                    const Tensor& f = features[size_t(b)];
                    Tensor feature = f.slice(1, tt.in_start, trailing ? f.size(1) : tt.in_end)
                                         .slice(2, th.in_start, th.in_end)
                                         .slice(3, tw.in_start, tw.in_end)
                                         .clone();
                    const Tensor context = stage4_context(std::move(feature), trailing, DiffVaeTap());
                    Tensor pixels = diffusion_stage(context, canvas.slice(0, b, b + 1), origin, DiffVaeTap());
                    pixels = resize_axis(pixels, 2, group_shape[2], AxisResize::RepeatLast);
                    auto view = [&](const Tensor& t) {
                        return t.slice(0, b, b + 1).slice(3, th.out_start, th.out_end).slice(4, tw.out_start, tw.out_end);
                    };
                    // ((px · m_t) · m_h) · m_w, the reference's product order.
                    accumulate_masked_tile(view(group), complementary ? Tensor() : view(group_weights), pixels,
                                           mask_t, masks_h[j], masks_w[k], MaskProduct::Sequential);
                    if (tap && b == 0) tap(fmt::format("tile {}/{}", done + 1, n), pixels);
                }
                ++done;
            }
        add_into_view(work.slice(2, tt.out_start, tt.out_end), group);
        if (!complementary) add_into_view(work_weights.slice(2, tt.out_start, tt.out_end), group_weights);
    }
    if (!complementary) divide_by_weights(work, work_weights, work);

    // Back to the latent's own extent: frames from the start, rows / columns after the floor padding.
    const int64_t S = DiffVaeConfig::kSpaceFactor, frames = (latent.size(2) - 1) * DiffVaeConfig::kTimeFactor + 1;
    const Shape out_shape{B, C, frames, S * latent.size(3), S * latent.size(4)};
    if (out_shape == work_shape) return work;
    const int64_t r0 = S * h_pad.before, c0 = S * w_pad.before;
    return work.slice(2, 0, frames).slice(3, r0, r0 + out_shape[3]).slice(4, c0, c0 + out_shape[4]).contiguous().clone();
}

}  // namespace ltx2
