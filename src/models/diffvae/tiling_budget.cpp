#include "models/diffvae/tiling_budget.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "models/diffvae/geometry.h"
#include "models/video_vae/tiling.h"

namespace ltx2 {

namespace {

constexpr double kF32 = 4.0;
constexpr int64_t kSwiGluRows = 8192;  // blocks.cpp's token chunk

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

struct AxisCandidate {
    int64_t size = 0, count = 0;
};

// Every legal tile size of one axis (output units) with the number of tiles it gives.
std::vector<AxisCandidate> axis_candidates(int64_t length, int64_t overlap, int64_t min_size, int64_t step) {
    std::vector<AxisCandidate> out;
    const int64_t max_size = std::max(round_up(length, step), min_size);
    for (int64_t size = min_size; size <= max_size; size += step)
        if (size > overlap) out.push_back({size, int64_t(vae_tiling::split_symmetric(length, size, overlap).size())});
    return out;
}

}  // namespace

double diffvae_tile_stage5_bytes(const DiffVaeConfig& c, int64_t frames, int64_t rows, int64_t cols) {
    const double c5 = c.stage5_channels, ctx = c.context_channels();
    const double canvas = double(c.out_channels) * c.patch_size * c.patch_size;  // per stage-5 token
    const double h5 = std::max<double>(1, double(rows / c.patch_size)), w5 = std::max<double>(1, double(cols / c.patch_size));
    const double tokens = double(frames) * h5 * w5;
    const double core_cols = std::ceil(w5 / 4.0), slab_cols = core_cols + 2.0 * (c.stage5_kernel[2] / 2);
    const double before_blocks = tokens * (c5 + 2.0 * ctx + 2.0 * canvas);
    const double in_blocks = tokens * (c5 + ctx + canvas) +
                             double(frames) * h5 * (slab_cols * (7.0 * c5 + c.head_dim) + core_cols * c5) +
                             double(kSwiGluRows) * (2.0 * c5 + 2.0 * c.mlp_hidden(c.stage5_channels));
    return kF32 * std::max(before_blocks, in_blocks);
}

double diffvae_stage4_feature_bytes(const DiffVaeConfig& c, const Shape& latent) {
    const Int3 mins = diffvae_min_latent_shape(c);
    const Int3 floored{int(std::max<int64_t>(latent[2], mins[0]) + c.stage_kernels[0][0] / 2 * 2),
                       int(std::max<int64_t>(latent[3], mins[1])), int(std::max<int64_t>(latent[4], mins[2]))};
    const Int3 s4 = diffvae_stage4_extent(c, floored);
    return kF32 * double(latent[0]) * double(s4[0]) * double(s4[1]) * double(s4[2]) * double(c.stage_channels[3]);
}

DiffVaeTileSizes diffvae_tiling_for_budget(const DiffVaeConfig& c, const Shape& latent, double budget,
                                           double resident) {
    LTX2_CHECK(latent.size() == 5 && shape_numel(latent) > 0, "DiffVAE tiling: latent shape {} is not [B, C, T, H, W]",
               shape_str(latent));
    LTX2_CHECK(budget > 0, "DiffVAE tiling: the memory budget must be positive, got {} bytes", budget);
    const DiffVaeTileGeometry g = diffvae_tile_geometry(c);
    const int64_t B = latent[0], frames = (latent[2] - 1) * DiffVaeConfig::kTimeFactor + 1,
                  height = latent[3] * DiffVaeConfig::kSpaceFactor, width = latent[4] * DiffVaeConfig::kSpaceFactor;
    const int64_t ft = g.pixel_scale[0], fh = g.pixel_scale[1], fw = g.pixel_scale[2];
    const int64_t step_t = std::lcm(ft, int64_t(8)), step_h = std::lcm(fh, int64_t(32)), step_w = std::lcm(fw, int64_t(32));
    const int64_t ot = g.min_overlap_frames, ohw = g.min_overlap_px;
    const int64_t min_t = round_up(std::max({2 * ft, 2 * ot, g.min_tile[0] * ft, int64_t(16)}), step_t);
    const int64_t min_h = round_up(std::max({2 * fh, 2 * ohw, g.min_tile[1] * fh, int64_t(64)}), step_h);
    const int64_t min_w = round_up(std::max({2 * fw, 2 * ohw, g.min_tile[2] * fw, int64_t(64)}), step_w);

    const double feature = diffvae_stage4_feature_bytes(c, latent);
    const double video = kF32 * double(B * c.out_channels) * double(frames) * double(height) * double(width);
    const double usable = budget - resident - feature - video;
    const double pixel_bytes = kF32 * double(B * c.out_channels) * double(height) * double(width);

    using Score = std::tuple<double, double, int64_t, int64_t, int64_t, int64_t>;  // waste, −volume, tiles, t, h, w
    std::vector<Score> fits;
    if (usable > feature)  // the stages 1-3 phase fits
        for (const AxisCandidate& t : axis_candidates(frames, ot, min_t, step_t)) {
            const double group = double(std::min(t.size, frames)) * pixel_bytes;
            if (group >= usable) continue;
            for (const AxisCandidate& h : axis_candidates(height, ohw, min_h, step_h))
                for (const AxisCandidate& w : axis_candidates(width, ohw, min_w, step_w)) {
                    const double stage5 = diffvae_tile_stage5_bytes(c, std::min(t.size, frames), std::min(h.size, height),
                                                                    std::min(w.size, width));
                    if (group + double(B) * stage5 > usable) continue;
                    const double processed = double(t.count * h.count * w.count) * double(t.size * h.size * w.size);
                    fits.emplace_back(processed / double(frames * height * width), -double(t.size * h.size * w.size),
                                      t.count * h.count * w.count, t.size, h.size, w.size);
                }
        }
    if (fits.empty())
        fail("DiffVAE tiling: no tile fits a memory budget of {:.2f} GiB for a latent {}: the smallest tile "
             "({} frames x {} x {} px, overlaps {} frames / {} px) needs {:.2f} GiB with {:.2f} GiB resident, "
             "{:.2f} GiB of stage-4 features and {:.2f} GiB of video",
             budget / 1073741824.0, shape_str(latent), min_t, min_h, min_w, ot, ohw,
             (resident + 2 * feature + video + double(std::min(min_t, frames)) * pixel_bytes +
              double(B) * diffvae_tile_stage5_bytes(c, std::min(min_t, frames), std::min(min_h, height),
                                                    std::min(min_w, width))) /
                 1073741824.0,
             resident / 1073741824.0, feature / 1073741824.0, video / 1073741824.0);
    const Score best = *std::min_element(fits.begin(), fits.end());
    DiffVaeTileSizes s;
    s.frames = {std::get<3>(best), ot};
    s.height = {std::get<4>(best), ohw};
    s.width = {std::get<5>(best), ohw};
    return s;
}

}  // namespace ltx2
