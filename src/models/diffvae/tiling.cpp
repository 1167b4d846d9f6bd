#include "models/diffvae/tiling.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "models/video_vae/tiling.h"

namespace ltx2 {

namespace {

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

const char* kAxisNames[3] = {"frames", "height", "width"};

void check_axis(const DiffVaeAxisTiling& a, int axis, int64_t scale, int64_t min_overlap) {
    const char* name = kAxisNames[axis];
    const char* unit = axis == 0 ? "frames" : "px";
    if (!a.tiled()) {
        LTX2_CHECK(a.tile == 0 && a.overlap == 0, "DiffVAE tiling: {} tile {} / overlap {}: an untiled axis has both 0",
                   name, a.tile, a.overlap);
        return;
    }
    LTX2_CHECK(a.tile >= 2 * scale && a.tile % scale == 0,
               "DiffVAE tiling: {} tile {} {} must be a multiple of {} and at least {}", name, a.tile, unit, scale,
               2 * scale);
    LTX2_CHECK(a.overlap % scale == 0, "DiffVAE tiling: {} overlap {} {} must be a multiple of {}", name, a.overlap,
               unit, scale);
    LTX2_CHECK(a.overlap >= min_overlap, "DiffVAE tiling: {} overlap {} {} is below the required {} {} (the halo of stages 4-5)",
               name, a.overlap, unit, min_overlap, unit);
    LTX2_CHECK(a.overlap < a.tile, "DiffVAE tiling: {} overlap {} {} must be less than the tile {} {}", name, a.overlap,
               unit, a.tile, unit);
}

// [s, e) with ramps (l, r) through one stride; the causal time doubling drops a frame at the end,
// and also at the start of a tile that does not begin at 0.
DiffVaeInterval propagate(const DiffVaeInterval& iv, int64_t stride, bool causal) {
    DiffVaeInterval o{iv.start * stride, iv.end * stride, iv.left_ramp * stride, iv.right_ramp * stride};
    if (causal && stride == 2) {
        o.end -= 1;
        if (iv.start != 0) o.start -= 1;
    }
    return o;
}

}  // namespace

std::string DiffVaeTileSizes::str() const {
    auto axis = [](const DiffVaeAxisTiling& a, const char* unit) {
        return a.tiled() ? fmt::format("{} {} / overlap {}", a.tile, unit, a.overlap) : std::string("untiled");
    };
    return fmt::format("frames {}, height {}, width {}", axis(frames, "frames"), axis(height, "px"), axis(width, "px"));
}

DiffVaeTileGeometry diffvae_tile_geometry(const DiffVaeConfig& c) {
    DiffVaeTileGeometry g;
    const Int3& up = c.upsamples[3].stride;
    const Int3& k4 = c.stage_kernels[3];
    const int d4 = c.stage_depths[3], d5 = c.stage_depths[4];
    g.pixel_scale = {up[0], up[1] * c.patch_size, up[2] * c.patch_size};
    for (size_t a = 0; a < 3; ++a) {
        g.min_tile[a] = std::max(k4[a], int(ceil_div(c.stage5_kernel[a], up[a])));
        g.halo4[a] = d4 * (k4[a] / 2);
        g.halo5[a] = int(ceil_div(int64_t(d5) * (c.stage5_kernel[a] / 2), up[a]));
    }
    auto dominant = [&](size_t a) { return int64_t(std::max(g.halo4[a], g.halo5[a])); };
    g.min_overlap_frames = round_up(dominant(0) * g.pixel_scale[0], 8);
    g.min_overlap_px = round_up(std::max(dominant(1), dominant(2)) * g.pixel_scale[1], 32);
    return g;
}

std::vector<DiffVaeInterval> diffvae_split_axis(int64_t length, int64_t size, int64_t overlap, int64_t min_tile) {
    LTX2_CHECK(length > 0 && size > overlap && overlap >= 0 && min_tile >= 1,
               "DiffVAE tiling: cannot split {} cells in tiles of {} overlapping by {} (min {})", length, size, overlap,
               min_tile);
    if (length < min_tile) return {{0, length, 0, 0}};
    const vae_tiling::AxisIntervals a = vae_tiling::split_symmetric(length, size, overlap);
    std::vector<DiffVaeInterval> out;
    for (size_t i = 0; i < a.size(); ++i) out.push_back({a.starts[i], a.ends[i], a.left_ramps[i], a.right_ramps[i]});
    if (out.size() > 1 && out.back().end - out.back().start < min_tile) {
        DiffVaeInterval &prev = out[out.size() - 2], &last = out.back();
        last.start = last.end - min_tile;
        prev.right_ramp = last.left_ramp = prev.end - last.start;
    }
    for (const DiffVaeInterval& iv : out)
        LTX2_CHECK(out.size() == 1 || (iv.end - iv.start >= min_tile && iv.start >= 0 &&
                                       std::max(iv.left_ramp, iv.right_ramp) <= iv.end - iv.start),
                   "DiffVAE tiling: a tile of [{}, {}) is below the minimum of {} stage-4 cells or has ramps longer "
                   "than itself",
                   iv.start, iv.end, min_tile);
    return out;
}

Int3 diffvae_stage4_extent(const DiffVaeConfig& c, const Int3& latent) {
    Int3 e = latent;
    for (size_t s = 0; s < 3; ++s)
        for (size_t a = 0; a < 3; ++a) {
            e[a] *= c.upsamples[s].stride[a];
            if (a == 0 && c.upsamples[s].stride[0] == 2) e[a] -= 1;
        }
    return e;
}

DiffVaeTileSchedule diffvae_tile_schedule(const DiffVaeConfig& c, const Int3& s4, const DiffVaeTileSizes& sizes) {
    const DiffVaeTileGeometry g = diffvae_tile_geometry(c);
    const DiffVaeAxisTiling* axes[3] = {&sizes.frames, &sizes.height, &sizes.width};
    const int up_t = c.upsamples[3].stride[0];
    DiffVaeTileSchedule sched;
    std::vector<DiffVaeAxisTile>* out[3] = {&sched.t, &sched.h, &sched.w};
    for (int a = 0; a < 3; ++a) {
        const DiffVaeAxisTiling& cfg = *axes[a];
        const int64_t scale = g.pixel_scale[size_t(a)];
        check_axis(cfg, a, scale, a == 0 ? g.min_overlap_frames : g.min_overlap_px);
        const int64_t length = s4[size_t(a)];
        std::vector<DiffVaeInterval> ivs{{0, length, 0, 0}};
        if (cfg.tiled()) {
            const int64_t overlap = cfg.overlap / scale;
            const int64_t size = std::max({cfg.tile / scale, int64_t(2), overlap + 1});
            ivs = diffvae_split_axis(length, size, overlap, g.min_tile[size_t(a)]);
        }
        for (const DiffVaeInterval& iv : ivs) {
            const DiffVaeInterval px = a == 0 ? propagate(iv, up_t, true) : propagate(iv, scale, false);
            DiffVaeAxisTile t{iv.start, iv.end, px.start, px.end, {}};
            t.mask = vae_tiling::trapezoid_mask(px.end - px.start, px.left_ramp, px.right_ramp, false);
            out[a]->push_back(std::move(t));
        }
    }
    sched.out_frames = sched.t.back().out_end;
    sched.out_height = sched.h.back().out_end;
    sched.out_width = sched.w.back().out_end;
    return sched;
}

bool DiffVaeTileSchedule::complementary() const {
    const std::vector<DiffVaeAxisTile>* axes[3] = {&t, &h, &w};
    const int64_t lengths[3] = {out_frames, out_height, out_width};
    for (int a = 0; a < 3; ++a) {
        std::vector<float> sum(size_t(lengths[a]), 0.0f);
        for (const DiffVaeAxisTile& tile : *axes[a])
            for (int64_t i = tile.out_start; i < tile.out_end; ++i) sum[size_t(i)] += tile.mask[size_t(i - tile.out_start)];
        for (float s : sum)
            if (std::fabs(s - 1.0f) > 1e-5f) return false;
    }
    return true;
}

}  // namespace ltx2
