#pragma once
// Tiled decoding for the LTX-2 video VAE (port of the reference `VideoDecoder.tiled_decode`,
// ltx_core.model.video_vae @ 28c3c73). Decoder-agnostic: the caller passes a function that
// decodes one latent tile [B, C, F', H', W'] into video [B, C_out, 1 + t·(F'-1), s·H', s·W']
// (t = temporal scale 8, s = spatial scale 32; the first latent frame of every tile is the
// causal first frame and decodes to a single frame).
//
// Per axis the latent is split as the reference does:
//  - spatial (H, W): tile = tile_px/s, overlap = overlap_px/s latents; the tile length on an axis
//    of length L is max(max(2, overlap+1), round_half_even(tile·L/max(H',W'))). L <= tile: one
//    interval; else n = (L + tile − 2·overlap − 1) / (tile − overlap) intervals starting at
//    i·(tile − overlap), the last ending at L; ramps = overlap except at the outer ends. Output
//    = ×s; blend weight a trapezoid whose ramps are k/(r+1), k = 1..r.
//  - temporal: tile = frames/t, overlap = overlap_frames/t; same split, then every interval after
//    the first starts one latent earlier and its left ramp grows by one. Output frames
//    [t·start, 1 + t·(end−1)); left ramp 1 + t·(ramp−1) frames rising from exactly 0, right ramp
//    t·ramp frames.
//  - tiles = all combinations, time outermost, then H, then W. Tiles of one temporal group are
//    accumulated (value·mask, mask) into a group buffer; overlapping frames of consecutive groups
//    are summed, and frames are emitted divided by max(weight, 1e-8).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ltx2::vae_tiling {

struct SpatialTiling {
    int64_t tile_px = 512;    // multiple of spatial_scale, >= 2·spatial_scale (64 px at scale 32)
    int64_t overlap_px = 64;  // multiple of spatial_scale, < tile_px
};

struct TemporalTiling {
    int64_t tile_frames = 64;     // multiple of temporal_scale, >= 2·temporal_scale (16 at scale 8)
    int64_t overlap_frames = 24;  // multiple of temporal_scale, < tile_frames
};

// Absent axis config = that axis is not tiled (one interval, weight 1).
struct TilingConfig {
    std::optional<SpatialTiling> spatial;
    std::optional<TemporalTiling> temporal;

    // The reference `TilingConfig.default()`: spatial 512/64 px, temporal 64/24 frames.
    static TilingConfig reference_default();
    // Throws Error naming the bad value when the reference would reject the config.
    void validate(int spatial_scale = 32, int temporal_scale = 8) const;
    std::string str() const;
};

// How one axis is split (latent units).
struct AxisIntervals {
    std::vector<int64_t> starts, ends, left_ramps, right_ramps;
    size_t size() const { return starts.size(); }
};

// split_with_symmetric_overlaps(tile, overlap)(length).
AxisIntervals split_symmetric(int64_t length, int64_t tile, int64_t overlap);
// split_temporal_latents(tile, overlap)(length): the causal variant.
AxisIntervals split_temporal_causal(int64_t length, int64_t tile, int64_t overlap);

// torch.linspace(start, end, steps) in float32 (same two-sided formula as torch's CPU kernel).
std::vector<float> linspace_f32(float start, float end, int64_t steps);
// compute_trapezoidal_mask_1d(length, ramp_left, ramp_right, left_starts_from_0).
std::vector<float> trapezoid_mask(int64_t length, int64_t ramp_left, int64_t ramp_right, bool left_starts_from_0);

// One interval of one axis: latent [in_start, in_end) → output [out_start, out_end) with its
// per-axis blend weights (out_end − out_start values).
struct AxisTile {
    int64_t in_start = 0, in_end = 0;
    int64_t out_start = 0, out_end = 0;
    std::vector<float> mask;
};

struct TilePlan {
    std::vector<AxisTile> t, h, w;          // per axis; tiles = t × h × w, time outermost, W fastest
    int64_t out_frames = 0, out_height = 0, out_width = 0;
    size_t num_tiles() const { return t.size() * h.size() * w.size(); }
    // Largest decoded tile (output frames × rows × cols).
    int64_t max_tile_voxels() const;
};

// The tiles the reference builds for a latent of shape [B, C, F', H', W'] (validates the config).
TilePlan plan_tiles(const Shape& latent_shape, const TilingConfig& config, int spatial_scale = 32,
                    int temporal_scale = 8);

using DecodeTileFn = std::function<Tensor(const Tensor& latent_tile)>;
// Receives each finished temporal chunk [B, C_out, n, H, W] (F32) and its first output frame,
// in order, like the reference generator yields them.
using ChunkFn = std::function<void(const Tensor& chunk, int64_t first_frame)>;

// Streaming form: memory is one or two temporal group buffers, not the whole video.
void tiled_decode_chunks(const Tensor& latent, const TilingConfig& config, const DecodeTileFn& decode_tile,
                         const ChunkFn& on_chunk, int spatial_scale = 32, int temporal_scale = 8);

// Copies a chunk [B, C, n, H, W] into frames [first_frame, first_frame + n) of `video`
// (contiguous F32 [B, C, F, H, W]).
void place_chunk(const Tensor& video, const Tensor& chunk, int64_t first_frame);

// The whole video [B, C_out, 1 + t·(F'−1), s·H', s·W'] in F32.
Tensor tiled_decode(const Tensor& latent /*[B,C,F,H,W]*/, const TilingConfig& config, const DecodeTileFn& decode_tile,
                    int spatial_scale = 32, int temporal_scale = 8);

// Automatic tile choice from a memory budget: the decoder's peak memory for one tile is modelled
// as bytes_per_output_voxel × batch × (frames × rows × cols of the largest decoded tile). Returns no
// tiling when the whole latent fits; otherwise the valid config with the fewest tiles that fits
// (ties: the smaller peak). Only tiles larger than the requested overlap are considered. Explicit
// tile sizes fix that axis (validated like the reference, and checked against the budget).
struct TilingRequest {
    double budget_bytes = 0;            // > 0: for the whole decode, not only one tile
    double bytes_per_output_voxel = 0;  // > 0: one tile's decoder activations per output voxel
    double resident_bytes = 0;          // held whatever the tiling: weights, caches, the process
    int64_t spatial_overlap_px = 64;
    int64_t temporal_overlap_frames = 24;
    std::optional<int64_t> spatial_tile_px;      // override
    std::optional<int64_t> temporal_tile_frames;  // override
    int spatial_scale = 32;
    int temporal_scale = 8;
};
TilingConfig choose_tiling(const Shape& latent_shape, const TilingRequest& request);

}  // namespace ltx2::vae_tiling
