#pragma once
// Tile schedule of the DiffVAE's tiled decode (reference 400fd31, diffusion_tiling.py): stages
// 1-3 run once on the whole latent; stages 4-5 run per tile of the stage-4 input grid and the
// tiles' pixels are blended with separable trapezoid masks.
//
// Units: a tile config is given in pixels / frames per axis (like the reference TileSizeConfig).
// One stage-4 cell is `pixel_scale` output units: (t_stride, h_stride·patch, w_stride·patch) of
// the stage-4 upsample, (2, 8, 8) for every shipped config. Per tiled axis, on the stage-4 grid:
//   size = tile / scale, overlap = overlap / scale, size = max(size, 2, overlap + 1);
//   an axis of length L < min_tile or L <= size is one interval; else n = (L + size − 2·overlap − 1)
//   / (size − overlap) intervals starting at i·(size − overlap), the last ending at L; ramps are
//   the overlap except at the outer ends; a last interval shorter than min_tile grows leftwards
//   to min_tile (its left ramp and the previous right ramp become the new overlap).
// Pixels of interval [s, e) with ramps (l, r): spatial [s·S, e·S), ramps l·S, r·S (S = h or w
// scale); time (stride 2, causal) [2s − (s > 0), 2e − 1), ramps 2l, 2r. Masks: trapezoids whose
// ramps do not reach 0 or 1 (k / (r + 1)). Tiles: time outermost, then rows, then columns.
#include <cstdint>
#include <string>
#include <vector>

#include "models/diffvae/config.h"

namespace ltx2 {

// One axis of a tile config; tile = 0: the axis is not tiled.
struct DiffVaeAxisTiling {
    int64_t tile = 0, overlap = 0;  // output frames (time) or pixels (rows, columns)
    bool tiled() const { return tile > 0; }
};

struct DiffVaeTileSizes {
    DiffVaeAxisTiling frames, height, width;
    bool tiled() const { return frames.tiled() || height.tiled() || width.tiled(); }
    std::string str() const;
};

// The model-derived constants of the tiling.
struct DiffVaeTileGeometry {
    Int3 pixel_scale{};   // output units per stage-4 cell
    Int3 min_tile{};      // stage-4 cells: stages 4 and 5 each see at least their kernel
    Int3 halo4{}, halo5{};  // one-sided receptive halos of stages 4 and 5, stage-4 cells
    int64_t min_overlap_frames = 0, min_overlap_px = 0;  // the halos in output units, on the 8 / 32 grid
};
DiffVaeTileGeometry diffvae_tile_geometry(const DiffVaeConfig& c);

// One interval of one axis: stage-4 cells [in_start, in_end) → output [out_start, out_end) with
// its blend weights (out_end − out_start values).
struct DiffVaeAxisTile {
    int64_t in_start = 0, in_end = 0;
    int64_t out_start = 0, out_end = 0;
    std::vector<float> mask;
};

struct DiffVaeTileSchedule {
    std::vector<DiffVaeAxisTile> t, h, w;
    int64_t out_frames = 0, out_height = 0, out_width = 0;
    size_t num_tiles() const { return t.size() * h.size() * w.size(); }
    // Whether the masks of every axis sum to 1 (within 1e-5) over that axis: then blending needs
    // no weight buffer.
    bool complementary() const;
};

// Interval split of one axis (stage-4 cells): split_by_size with the min-tile growth.
struct DiffVaeInterval {
    int64_t start = 0, end = 0, left_ramp = 0, right_ramp = 0;
};
std::vector<DiffVaeInterval> diffvae_split_axis(int64_t length, int64_t size, int64_t overlap, int64_t min_tile);

// The schedule for a stage-4 grid of stage4_thw content cells (without ghost frames). Fails
// naming the axis when the config is illegal: tile not a positive multiple of the scale, below
// twice the scale, overlap not a multiple of the scale, overlap below the halo floor or not
// below the tile.
DiffVaeTileSchedule diffvae_tile_schedule(const DiffVaeConfig& c, const Int3& stage4_thw, const DiffVaeTileSizes& sizes);

// Stage-4 input extent (t, h, w) of a latent (t, h, w) after the first three upsamples.
Int3 diffvae_stage4_extent(const DiffVaeConfig& c, const Int3& latent_thw);

}  // namespace ltx2
