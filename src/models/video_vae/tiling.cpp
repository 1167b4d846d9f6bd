#include "models/video_vae/tiling.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "ops/tile_blend.h"
#include "ops/views.h"

namespace ltx2::vae_tiling {

TilingConfig TilingConfig::reference_default() {
    TilingConfig c;
    c.spatial = SpatialTiling{512, 64};
    c.temporal = TemporalTiling{64, 24};
    return c;
}

void TilingConfig::validate(int spatial_scale, int temporal_scale) const {
    LTX2_CHECK(spatial_scale > 0 && temporal_scale > 0, "video VAE tiling: scales must be positive, got spatial {} temporal {}",
               spatial_scale, temporal_scale);
    if (spatial) {
        const int64_t s = spatial_scale;
        LTX2_CHECK(spatial->tile_px >= 2 * s, "video VAE tiling: spatial tile must be at least {} px, got {}", 2 * s,
                   spatial->tile_px);
        LTX2_CHECK(spatial->tile_px % s == 0, "video VAE tiling: spatial tile must be a multiple of {} px, got {}", s,
                   spatial->tile_px);
        LTX2_CHECK(spatial->overlap_px >= 0, "video VAE tiling: spatial overlap must be >= 0, got {}", spatial->overlap_px);
        LTX2_CHECK(spatial->overlap_px % s == 0, "video VAE tiling: spatial overlap must be a multiple of {} px, got {}", s,
                   spatial->overlap_px);
        LTX2_CHECK(spatial->overlap_px < spatial->tile_px,
                   "video VAE tiling: spatial overlap must be less than the tile size, got overlap {} px and tile {} px",
                   spatial->overlap_px, spatial->tile_px);
    }
    if (temporal) {
        const int64_t t = temporal_scale;
        LTX2_CHECK(temporal->tile_frames >= 2 * t, "video VAE tiling: temporal tile must be at least {} frames, got {}",
                   2 * t, temporal->tile_frames);
        LTX2_CHECK(temporal->tile_frames % t == 0, "video VAE tiling: temporal tile must be a multiple of {} frames, got {}",
                   t, temporal->tile_frames);
        LTX2_CHECK(temporal->overlap_frames >= 0, "video VAE tiling: temporal overlap must be >= 0, got {}",
                   temporal->overlap_frames);
        LTX2_CHECK(temporal->overlap_frames % t == 0,
                   "video VAE tiling: temporal overlap must be a multiple of {} frames, got {}", t, temporal->overlap_frames);
        LTX2_CHECK(temporal->overlap_frames < temporal->tile_frames,
                   "video VAE tiling: temporal overlap must be less than the tile size, got overlap {} and tile {} frames",
                   temporal->overlap_frames, temporal->tile_frames);
    }
}

std::string TilingConfig::str() const {
    std::string s = "spatial ";
    s += spatial ? fmt::format("{} px / overlap {} px", spatial->tile_px, spatial->overlap_px) : std::string("off");
    s += ", temporal ";
    s += temporal ? fmt::format("{} frames / overlap {} frames", temporal->tile_frames, temporal->overlap_frames)
                  : std::string("off");
    return s;
}

namespace {
AxisIntervals single_interval(int64_t length) {
    AxisIntervals a;
    a.starts = {0};
    a.ends = {length};
    a.left_ramps = {0};
    a.right_ramps = {0};
    return a;
}
}  // namespace

AxisIntervals split_symmetric(int64_t length, int64_t tile, int64_t overlap) {
    LTX2_CHECK(length > 0, "video VAE tiling: axis length must be positive, got {}", length);
    if (length <= tile) return single_interval(length);
    LTX2_CHECK(tile > overlap && overlap >= 0, "video VAE tiling: tile {} must exceed overlap {} (latent units)", tile,
               overlap);
    const int64_t n = (length + tile - 2 * overlap - 1) / (tile - overlap);
    LTX2_CHECK(n >= 1, "video VAE tiling: no interval for length {} tile {} overlap {}", length, tile, overlap);
    AxisIntervals a;
    for (int64_t i = 0; i < n; ++i) {
        a.starts.push_back(i * (tile - overlap));
        a.ends.push_back(i * (tile - overlap) + tile);
        a.left_ramps.push_back(i == 0 ? 0 : overlap);
        a.right_ramps.push_back(i == n - 1 ? 0 : overlap);
    }
    a.ends.back() = length;
    return a;
}

AxisIntervals split_temporal_causal(int64_t length, int64_t tile, int64_t overlap) {
    LTX2_CHECK(length > 0, "video VAE tiling: axis length must be positive, got {}", length);
    if (length <= tile) return single_interval(length);
    AxisIntervals a = split_symmetric(length, tile, overlap);
    for (size_t i = 1; i < a.size(); ++i) {
        a.starts[i] -= 1;
        a.left_ramps[i] += 1;
    }
    return a;
}

std::vector<float> linspace_f32(float start, float end, int64_t steps) {
    LTX2_CHECK(steps >= 0, "linspace: steps must be >= 0, got {}", steps);
    std::vector<float> v(static_cast<size_t>(steps));
    if (steps == 0) return v;
    if (steps == 1) {
        v[0] = start;
        return v;
    }
    const float step = (end - start) / float(steps - 1);
    const int64_t halfway = steps / 2;
    for (int64_t i = 0; i < steps; ++i)
        v[size_t(i)] = i < halfway ? start + step * float(i) : end - step * float(steps - i - 1);
    return v;
}

std::vector<float> trapezoid_mask(int64_t length, int64_t ramp_left, int64_t ramp_right, bool left_starts_from_0) {
    LTX2_CHECK(length > 0, "video VAE tiling: mask length must be positive, got {}", length);
    ramp_left = std::max<int64_t>(0, std::min(ramp_left, length));
    ramp_right = std::max<int64_t>(0, std::min(ramp_right, length));
    std::vector<float> mask(size_t(length), 1.0f);
    if (ramp_left > 0) {
        const int64_t n = left_starts_from_0 ? ramp_left + 1 : ramp_left + 2;
        const std::vector<float> lin = linspace_f32(0.0f, 1.0f, n);
        const size_t first = left_starts_from_0 ? 0 : 1;  // drop the 0 unless the ramp starts from it
        for (int64_t k = 0; k < ramp_left; ++k) mask[size_t(k)] *= lin[first + size_t(k)];
    }
    if (ramp_right > 0) {
        const std::vector<float> lin = linspace_f32(1.0f, 0.0f, ramp_right + 2);
        for (int64_t k = 0; k < ramp_right; ++k) mask[size_t(length - ramp_right + k)] *= lin[size_t(k + 1)];
    }
    for (float& m : mask) m = std::clamp(m, 0.0f, 1.0f);
    return mask;
}

int64_t TilePlan::max_tile_voxels() const {
    int64_t mt = 0, mh = 0, mw = 0;
    for (const auto& a : t) mt = std::max(mt, a.out_end - a.out_start);
    for (const auto& a : h) mh = std::max(mh, a.out_end - a.out_start);
    for (const auto& a : w) mw = std::max(mw, a.out_end - a.out_start);
    return mt * mh * mw;
}

TilePlan plan_tiles(const Shape& latent_shape, const TilingConfig& config, int spatial_scale, int temporal_scale) {
    LTX2_CHECK(latent_shape.size() == 5, "video VAE tiled decode: latent must be [B, C, F, H, W], got {}",
               shape_str(latent_shape));
    for (int64_t d : latent_shape)
        LTX2_CHECK(d > 0, "video VAE tiled decode: latent shape {} has an empty dimension", shape_str(latent_shape));
    config.validate(spatial_scale, temporal_scale);
    const int64_t F = latent_shape[2], H = latent_shape[3], W = latent_shape[4];
    const int64_t s = spatial_scale, t = temporal_scale;
    TilePlan plan;
    plan.out_frames = 1 + t * (F - 1);
    plan.out_height = s * H;
    plan.out_width = s * W;

    auto spatial_axis = [&](int64_t length, std::vector<AxisTile>& out) {
        AxisIntervals iv;
        if (config.spatial) {
            const int64_t size = config.spatial->tile_px / s;
            const int64_t overlap = config.spatial->overlap_px / s;
            const int64_t long_side = std::max(H, W);
            const int64_t lower = std::max<int64_t>(2, overlap + 1);
            // Python round(): ties to even (nearbyint in the default rounding mode).
            const auto scaled = int64_t(std::nearbyint(double(size * length) / double(long_side)));
            iv = split_symmetric(length, std::max(lower, scaled), overlap);
        } else {
            iv = single_interval(length);
        }
        for (size_t i = 0; i < iv.size(); ++i) {
            AxisTile a;
            a.in_start = iv.starts[i];
            a.in_end = iv.ends[i];
            a.out_start = iv.starts[i] * s;
            a.out_end = iv.ends[i] * s;
            a.mask = trapezoid_mask(a.out_end - a.out_start, iv.left_ramps[i] * s, iv.right_ramps[i] * s, false);
            out.push_back(std::move(a));
        }
    };
    spatial_axis(H, plan.h);
    spatial_axis(W, plan.w);

    AxisIntervals iv = config.temporal ? split_temporal_causal(F, config.temporal->tile_frames / t,
                                                               config.temporal->overlap_frames / t)
                                       : single_interval(F);
    for (size_t i = 0; i < iv.size(); ++i) {
        AxisTile a;
        a.in_start = iv.starts[i];
        a.in_end = iv.ends[i];
        a.out_start = iv.starts[i] * t;
        a.out_end = 1 + (iv.ends[i] - 1) * t;
        const int64_t lr = iv.left_ramps[i] == 0 ? 0 : 1 + (iv.left_ramps[i] - 1) * t;
        a.mask = trapezoid_mask(a.out_end - a.out_start, lr, iv.right_ramps[i] * t, true);
        plan.t.push_back(std::move(a));
    }
    return plan;
}

namespace {

Tensor mask_tensor(const std::vector<float>& mask) { return Tensor::from_f32({int64_t(mask.size())}, mask); }

// dst += src, then src = dst: both views end up holding the sum.
void add_both_ways(const Tensor& dst, const Tensor& src) {
    add_into_view(dst, src);
    copy_into_view(src, dst);
}

}  // namespace

void tiled_decode_chunks(const Tensor& latent, const TilingConfig& config, const DecodeTileFn& decode_tile,
                         const ChunkFn& on_chunk, int spatial_scale, int temporal_scale) {
    LTX2_CHECK(latent.defined(), "video VAE tiled decode: latent is undefined");
    LTX2_CHECK(bool(decode_tile), "video VAE tiled decode: no decode_tile function");
    const TilePlan plan = plan_tiles(latent.shape(), config, spatial_scale, temporal_scale);
    const int64_t B = latent.size(0);
    const int64_t HO = plan.out_height, WO = plan.out_width;
    int64_t C = -1;
    std::vector<Tensor> masks_h, masks_w;
    for (const AxisTile& th : plan.h) masks_h.push_back(mask_tensor(th.mask));
    for (const AxisTile& tw : plan.w) masks_w.push_back(mask_tensor(tw.mask));

    struct Group {
        int64_t start = 0, stop = 0;
        Tensor value;   // [B, C, len, HO, WO]
        Tensor weight;  // [1, 1, len, HO, WO] (the reference's weights are the same for every b, c)
        int64_t len() const { return stop - start; }
    };
    auto emit = [&](const Group& g, int64_t n) {
        Tensor chunk = Tensor::empty({B, C, n, HO, WO});
        divide_by_weights(g.value.slice(2, 0, n), g.weight.slice(2, 0, n), chunk);
        if (on_chunk) on_chunk(chunk, g.start);
    };

    std::optional<Group> prev;
    size_t tile_index = 0;
    for (const AxisTile& tt : plan.t) {
        Group cur;
        cur.start = tt.out_start;
        cur.stop = tt.out_end;
        const int64_t len = cur.len();
        cur.weight = Tensor::zeros({1, 1, len, HO, WO});
        const Tensor mask_t = mask_tensor(tt.mask);
        for (size_t j = 0; j < plan.h.size(); ++j)
            for (size_t k = 0; k < plan.w.size(); ++k) {
                const AxisTile &th = plan.h[j], &tw = plan.w[k];
                const Tensor piece = latent.slice(2, tt.in_start, tt.in_end)
                                         .slice(3, th.in_start, th.in_end)
                                         .slice(4, tw.in_start, tw.in_end)
                                         .contiguous();
                const Tensor decoded_any = decode_tile(piece);
                const int64_t th_len = th.out_end - th.out_start, tw_len = tw.out_end - tw.out_start;
                const int64_t expected_frames = tt.out_end - tt.out_start;
                LTX2_CHECK(decoded_any.defined() && decoded_any.dim() == 5,
                           "video VAE tiled decode: tile {} (latent {}) decoded to {}, expected a 5-D video", tile_index,
                           shape_str(piece.shape()), decoded_any.defined() ? shape_str(decoded_any.shape()) : "nothing");
                const Tensor decoded = decoded_any.to(DType::F32);
                if (C < 0) C = decoded.size(1);
                LTX2_CHECK(decoded.size(0) == B && decoded.size(1) == C && decoded.size(3) == th_len &&
                               decoded.size(4) == tw_len && decoded.size(2) >= expected_frames,
                           "video VAE tiled decode: tile {} (latent {}) decoded to {}, expected ({}, {}, {}, {}, {})",
                           tile_index, shape_str(piece.shape()), shape_str(decoded.shape()), B, C, expected_frames,
                           th_len, tw_len);
                if (!cur.value.defined()) cur.value = Tensor::zeros({B, C, len, HO, WO});
                const int64_t n = std::min(expected_frames, len);
                auto place = [&](const Tensor& t) {
                    return t.slice(2, 0, n).slice(3, th.out_start, th.out_end).slice(4, tw.out_start, tw.out_end);
                };
                accumulate_masked_tile(place(cur.value), place(cur.weight), decoded.slice(2, 0, n),
                                       mask_t.slice(0, 0, n), masks_h[j], masks_w[k], MaskProduct::OfMask);
                ++tile_index;
            }
        if (prev) {
            if (prev->stop > cur.start) {
                const int64_t off = cur.start - prev->start;
                const int64_t ov = std::min(prev->stop - cur.start, len);
                add_both_ways(prev->weight.slice(2, off, off + ov), cur.weight.slice(2, 0, ov));
                add_both_ways(prev->value.slice(2, off, off + ov), cur.value.slice(2, 0, ov));
            }
            emit(*prev, std::clamp<int64_t>(cur.start - prev->start, 0, prev->len()));
        }
        prev = std::move(cur);
    }
    if (prev) emit(*prev, prev->len());
}

void place_chunk(const Tensor& video, const Tensor& chunk, int64_t first_frame) {
    LTX2_CHECK(video.dim() == 5 && chunk.dim() == 5 && video.size(0) == chunk.size(0) && video.size(1) == chunk.size(1) &&
                   video.size(3) == chunk.size(3) && video.size(4) == chunk.size(4) && first_frame >= 0 &&
                   first_frame + chunk.size(2) <= video.size(2),
               "video VAE tiled decode: chunk {} at frame {} does not fit video {}", shape_str(chunk.shape()),
               first_frame, shape_str(video.shape()));
    copy_into_view(video.slice(2, first_frame, first_frame + chunk.size(2)), chunk);
}

Tensor tiled_decode(const Tensor& latent, const TilingConfig& config, const DecodeTileFn& decode_tile, int spatial_scale,
                    int temporal_scale) {
    Tensor out;
    int64_t frames = 0;
    const TilePlan plan = plan_tiles(latent.shape(), config, spatial_scale, temporal_scale);
    tiled_decode_chunks(
        latent, config, decode_tile,
        [&](const Tensor& chunk, int64_t first_frame) {
            if (!out.defined())
                out = Tensor::zeros({chunk.size(0), chunk.size(1), plan.out_frames, plan.out_height, plan.out_width});
            LTX2_CHECK(first_frame == frames && first_frame + chunk.size(2) <= plan.out_frames,
                       "video VAE tiled decode: chunk at frame {} ({} frames) does not continue frame {}", first_frame,
                       chunk.size(2), frames);
            place_chunk(out, chunk, first_frame);
            frames += chunk.size(2);
        },
        spatial_scale, temporal_scale);
    LTX2_CHECK(frames == plan.out_frames, "video VAE tiled decode: produced {} frames, expected {}", frames,
               plan.out_frames);
    return out;
}

TilingConfig choose_tiling(const Shape& latent_shape, const TilingRequest& r) {
    LTX2_CHECK(latent_shape.size() == 5, "choose_tiling: latent must be [B, C, F, H, W], got {}", shape_str(latent_shape));
    LTX2_CHECK(r.budget_bytes > 0, "choose_tiling: memory budget must be positive, got {}", r.budget_bytes);
    LTX2_CHECK(r.bytes_per_output_voxel > 0, "choose_tiling: per-voxel cost must be positive, got {}",
               r.bytes_per_output_voxel);
    const int64_t s = r.spatial_scale, t = r.temporal_scale;
    LTX2_CHECK(s > 0 && t > 0, "choose_tiling: scales must be positive, got spatial {} temporal {}", s, t);
    const int64_t B = latent_shape[0], F = latent_shape[2], H = latent_shape[3], W = latent_shape[4];

    std::vector<std::optional<SpatialTiling>> spatial;
    if (r.spatial_tile_px) {
        spatial.push_back(SpatialTiling{*r.spatial_tile_px, r.spatial_overlap_px});
    } else {
        spatial.push_back(std::nullopt);
        for (int64_t tile = s * std::max(H, W); tile >= 2 * s; tile -= s)
            if (tile > r.spatial_overlap_px) spatial.push_back(SpatialTiling{tile, r.spatial_overlap_px});
    }
    std::vector<std::optional<TemporalTiling>> temporal;
    if (r.temporal_tile_frames) {
        temporal.push_back(TemporalTiling{*r.temporal_tile_frames, r.temporal_overlap_frames});
    } else {
        temporal.push_back(std::nullopt);
        for (int64_t tile = t * F; tile >= 2 * t; tile -= t)
            if (tile > r.temporal_overlap_frames) temporal.push_back(TemporalTiling{tile, r.temporal_overlap_frames});
    }

    // Held whatever the tiling: the caller's resident memory, the assembled F32 video and the
    // tiler's blend accumulators (the same size again, as an upper bound).
    LTX2_CHECK(r.resident_bytes >= 0, "choose_tiling: resident bytes must not be negative, got {}", r.resident_bytes);
    const double output_bytes = 4.0 * double(B) * 3.0 * double(t * (F - 1) + 1) * double(s * H) * double(s * W);
    const double fixed = r.resident_bytes + 2.0 * output_bytes;
    if (fixed >= r.budget_bytes)
        fail("choose_tiling: a budget of {:.2f} GiB cannot hold the resident {:.2f} GiB plus the decoded video and its "
             "blend buffers ({:.2f} GiB) for latent {}",
             r.budget_bytes / 1073741824.0, r.resident_bytes / 1073741824.0, 2.0 * output_bytes / 1073741824.0,
             shape_str(latent_shape));

    std::optional<TilingConfig> best;
    size_t best_tiles = 0;
    double best_peak = 0, min_peak = std::numeric_limits<double>::infinity();
    TilingConfig min_config;
    for (const auto& sp : spatial)
        for (const auto& tp : temporal) {
            TilingConfig c;
            c.spatial = sp;
            c.temporal = tp;
            c.validate(int(s), int(t));  // overrides are checked here (the search only builds valid ones)
            const TilePlan plan = plan_tiles(latent_shape, c, int(s), int(t));
            const double peak = fixed + r.bytes_per_output_voxel * double(B) * double(plan.max_tile_voxels());
            if (peak < min_peak) {
                min_peak = peak;
                min_config = c;
            }
            if (peak > r.budget_bytes) continue;
            const size_t n = plan.num_tiles();
            if (!best || n < best_tiles || (n == best_tiles && peak < best_peak)) {
                best = c;
                best_tiles = n;
                best_peak = peak;
            }
        }
    if (!best)
        fail("choose_tiling: latent {} cannot be decoded within {:.0f} bytes at {} bytes per output voxel; the smallest "
             "tiles considered ({}) need {:.0f} bytes",
             shape_str(latent_shape), r.budget_bytes, r.bytes_per_output_voxel, min_config.str(), min_peak);
    return *best;
}

}  // namespace ltx2::vae_tiling
