#pragma once
// Automatic tile sizes for the DiffVAE's tiled decode from a memory budget: the reference's
// candidate search (recommended_decode_tiling_config at 400fd31) with a memory model of this
// implementation (float32 activations) instead of the reference's GPU coefficients.
//
// Candidates per axis: sizes on the grid lcm(stage-4 cell, 8 frames / 32 px) from a floor of
// max(2·scale, 2·overlap, min_tile·scale, 16 frames / 64 px) up to the axis length rounded up
// (overlaps: the halo floors of diffvae_tile_geometry; the 2·overlap floor keeps the masks
// complementary). Each (frames, rows, columns) triple whose estimate fits is scored by
// processed / unique volume (tile count from the same split on output units), then larger
// tiles, then fewer; the best one is returned.
//
// Memory model (bytes, every tensor F32; a tile larger than the video counts at the video's size):
//   resident for the whole decode: `resident` (weights, process) + the stage-4 feature of the
//     whole latent (ghost frames included) + the video being assembled;
//   stages 1-3 (once): one more stage-4 feature (the upsample's projection beside its shuffle);
//   per tile: the temporal group buffer (tile frames × H × W × out_channels) + stage 5 on the
//     tile (diffvae_tile_stage5_bytes).
// Checked against untiled decodes at full size (docs/PERFORMANCE.md): a 16 × 8 × 12 latent,
// 0.78 GiB weights + 0.20 GiB feature + 0.13 GiB video + 3.62 GiB stage 5 = 4.73 GiB against a
// measured peak RSS of 4.76 GiB; a 16 × 16 × 24 latent (121 frames of 768 × 512), 0.78 + 0.81 +
// 0.53 + 13.20 = 15.32 GiB against 14.80 GiB.
#include <cstdint>

#include "core/tensor.h"
#include "models/diffvae/config.h"
#include "models/diffvae/tiling.h"

namespace ltx2 {

// Stage 5 on one tile of frames × rows × cols output pixels, the larger of two moments. Before the
// blocks, per stage-5 token (frame × patch): x (C5), the stage-4 upsample's projection and its
// shuffle (2·C_ctx), the canvas and its patchified copy (2·out_channels·patch²). In a block: x,
// the upsampled context and the canvas per token; per attention slab column (W/4 + 2·halo) its
// buffer, normed input, q, k, v, attention output and projection (7·C5) and the attention kernel's
// channel-major copy of one head's keys (head_dim), the core's sum copy
// (C5 on W/4 columns); the SwiGLU's fixed token chunk.
double diffvae_tile_stage5_bytes(const DiffVaeConfig& c, int64_t frames, int64_t rows, int64_t cols);

// The stage-4 feature of a whole latent [B, C, T, H, W] (ghost frames included).
double diffvae_stage4_feature_bytes(const DiffVaeConfig& c, const Shape& latent_shape);

// Tile sizes for decoding `latent_shape` within budget_bytes, resident_bytes being held anyway.
// Fails naming the budget and the smallest tile when nothing fits.
DiffVaeTileSizes diffvae_tiling_for_budget(const DiffVaeConfig& c, const Shape& latent_shape, double budget_bytes,
                                           double resident_bytes);

}  // namespace ltx2
