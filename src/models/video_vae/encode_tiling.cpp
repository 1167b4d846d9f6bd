#include "models/video_vae/encode_tiling.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/error.h"
#include "ops/tile_blend.h"

namespace ltx2::vae_tiling {

namespace {

// TileSizeConfig.to_splitters: latent tile = max(max(2, overlap + 1), size / scale).
int64_t latent_tile(int64_t size, int64_t overlap_latents, int scale) {
    return std::max<int64_t>(std::max<int64_t>(2, overlap_latents + 1), size / scale);
}

// The reference encodes with enough overlap to hide the encoder's padded edges.
void check_encode_tiling(const EncodeTiling& c, int spatial_scale, int temporal_scale) {
    const SpatialTiling& s = c.spatial;
    const TemporalTiling& t = c.temporal;
    LTX2_CHECK(s.tile_px > 0 && s.tile_px % spatial_scale == 0 && s.overlap_px % spatial_scale == 0 &&
                   s.overlap_px >= 64 && s.overlap_px < s.tile_px,
               "video VAE tiled encode: spatial tile {} px / overlap {} px: expected multiples of {} with 64 <= "
               "overlap < tile",
               s.tile_px, s.overlap_px, spatial_scale);
    LTX2_CHECK(t.tile_frames > 0 && t.tile_frames % temporal_scale == 0 && t.overlap_frames % temporal_scale == 0 &&
                   t.overlap_frames >= 16 && t.overlap_frames < t.tile_frames,
               "video VAE tiled encode: temporal tile {} / overlap {} frames: expected multiples of {} with 16 <= "
               "overlap < tile",
               t.tile_frames, t.overlap_frames, temporal_scale);
}

// One axis's blend masks (latent units), one per interval.
std::vector<std::vector<float>> axis_masks(const AxisIntervals& a, bool causal) {
    std::vector<std::vector<float>> masks;
    for (size_t i = 0; i < a.size(); ++i)
        masks.push_back(trapezoid_mask(a.ends[i] - a.starts[i], a.left_ramps[i], a.right_ramps[i], causal));
    return masks;
}

// masks_are_complementary for one axis: the distinct intervals' masks sum to 1 everywhere.
bool sums_to_one(const AxisIntervals& a, const std::vector<std::vector<float>>& masks, int64_t length) {
    std::vector<float> sum(size_t(length), 0.0f);
    std::set<std::pair<int64_t, int64_t>> seen;
    for (size_t i = 0; i < a.size(); ++i) {
        if (!seen.insert({a.starts[i], a.ends[i]}).second) continue;
        for (int64_t k = a.starts[i]; k < a.ends[i]; ++k) sum[size_t(k)] += masks[i][size_t(k - a.starts[i])];
    }
    return std::all_of(sum.begin(), sum.end(), [](float v) { return std::fabs(v - 1.0f) <= 1e-5f; });
}

}  // namespace

EncodeTilePlan plan_encode_tiles(int64_t frames, int64_t height, int64_t width, const EncodeTiling& config,
                                 int spatial_scale, int temporal_scale) {
    check_encode_tiling(config, spatial_scale, temporal_scale);
    LTX2_CHECK(frames >= 1 && (frames - 1) % temporal_scale == 0 && height > 0 && height % spatial_scale == 0 &&
                   width > 0 && width % spatial_scale == 0,
               "video VAE tiled encode: {} frames of {}x{} px: expected {}k + 1 frames and sides multiples of {}",
               frames, width, height, temporal_scale, spatial_scale);
    const int64_t t_overlap = config.temporal.overlap_frames / temporal_scale;
    const int64_t s_overlap = config.spatial.overlap_px / spatial_scale;
    const int64_t s_tile = latent_tile(config.spatial.tile_px, s_overlap, spatial_scale);
    EncodeTilePlan plan;
    plan.t = split_temporal_causal((frames - 1) / temporal_scale + 1,
                                   latent_tile(config.temporal.tile_frames, t_overlap, temporal_scale), t_overlap);
    plan.h = split_symmetric(height / spatial_scale, s_tile, s_overlap);
    plan.w = split_symmetric(width / spatial_scale, s_tile, s_overlap);
    return plan;
}

Tensor tiled_encode(const Tensor& video, const EncodeTileFn& encode_tile, const EncodeTiling& config,
                    int spatial_scale, int temporal_scale) {
    LTX2_CHECK(video.defined() && video.dim() == 5, "video VAE tiled encode: expected a video [B, 3, F, H, W], got {}",
               video.defined() ? shape_str(video.shape()) : std::string("nothing"));
    LTX2_CHECK(bool(encode_tile), "video VAE tiled encode: no encode_tile function");
    const int64_t T = (video.size(2) - 1) / temporal_scale + 1, H = video.size(3) / spatial_scale,
                  W = video.size(4) / spatial_scale;
    const EncodeTilePlan plan = plan_encode_tiles(video.size(2), video.size(3), video.size(4), config, spatial_scale,
                                                  temporal_scale);
    if (plan.num_tiles() == 1) return encode_tile(video);

    const auto mt = axis_masks(plan.t, true), mh = axis_masks(plan.h, false), mw = axis_masks(plan.w, false);
    // The splits always overlap by whole ramps, so the masks partition unity and the reference
    // skips its division by the summed weights.
    LTX2_CHECK(sums_to_one(plan.t, mt, T) && sums_to_one(plan.h, mh, H) && sums_to_one(plan.w, mw, W),
               "video VAE tiled encode: the blend masks of {} do not sum to 1", shape_str(video.shape()));
    auto mask_tensors = [](const std::vector<std::vector<float>>& masks) {
        std::vector<Tensor> out;
        for (const std::vector<float>& m : masks) out.push_back(Tensor::from_f32({int64_t(m.size())}, m));
        return out;
    };
    const std::vector<Tensor> mask_t = mask_tensors(mt), mask_h = mask_tensors(mh), mask_w = mask_tensors(mw);
    Tensor sum;
    int64_t BC = 0;
    size_t index = 0;
    for (size_t i = 0; i < plan.t.size(); ++i)
        for (size_t j = 0; j < plan.h.size(); ++j)
            for (size_t k = 0; k < plan.w.size(); ++k, ++index) {
                const int64_t t0 = plan.t.starts[i], t1 = plan.t.ends[i];
                const int64_t h0 = plan.h.starts[j], h1 = plan.h.ends[j];
                const int64_t w0 = plan.w.starts[k], w1 = plan.w.ends[k];
                const Tensor pixels = video.slice(2, t0 * temporal_scale, 1 + (t1 - 1) * temporal_scale)
                                          .slice(3, h0 * spatial_scale, h1 * spatial_scale)
                                          .slice(4, w0 * spatial_scale, w1 * spatial_scale)
                                          .contiguous();
                const Tensor encoded = encode_tile(pixels);
                LTX2_CHECK(encoded.defined() && encoded.dim() == 5 && encoded.size(0) == video.size(0) &&
                               encoded.size(2) == t1 - t0 && encoded.size(3) == h1 - h0 && encoded.size(4) == w1 - w0,
                           "video VAE tiled encode: tile {} ({}) encoded to {}, expected [{}, C, {}, {}, {}]", index,
                           shape_str(pixels.shape()), encoded.defined() ? shape_str(encoded.shape()) : "nothing",
                           video.size(0), t1 - t0, h1 - h0, w1 - w0);
                const Tensor latent = encoded.to(DType::F32).contiguous();
                if (!sum.defined()) {
                    sum = Tensor::zeros({video.size(0), latent.size(1), T, H, W});
                    BC = video.size(0) * latent.size(1);
                }
                LTX2_CHECK(latent.size(1) * video.size(0) == BC, "video VAE tiled encode: tile {} has {} channels",
                           index, latent.size(1));
                // latent · m_t · m_h · m_w, multiplied in the reference's order, summed into place.
                const Tensor place = sum.slice(2, t0, t1).slice(3, h0, h1).slice(4, w0, w1);
                accumulate_masked_tile(place, Tensor(), latent, mask_t[i], mask_h[j], mask_w[k],
                                       MaskProduct::Sequential);
            }
    return sum;
}

}  // namespace ltx2::vae_tiling
