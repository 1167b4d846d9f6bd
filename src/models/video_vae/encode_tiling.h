#pragma once
// Tiled encoding for the video VAE, as LTX-2.3's reference encodes a source clip
// (VideoEncoder.tiled_encode with TileSizeConfig.default(), ltx_core @ 400fd31):
//  - the latent grid [F', H', W'] (F' = (F − 1)/8 + 1, H' = H/32, W' = W/32) is split per axis:
//    time with the causal split (tile 80/8 = 10 latents, overlap 24/8 = 3: every interval after
//    the first starts one latent earlier, left ramp + 1), height and width independently with the
//    symmetric split (tile 768/32 = 24 latents, overlap 64/32 = 2; no aspect coupling);
//  - each tile encodes the pixels [8·start, 1 + 8·(end − 1)) × [32·start, 32·end)²;
//  - its latent is weighted by the per-axis trapezoids (in latent units; the temporal one rising
//    from exactly 0), multiplied in the order time, height, width, and summed into the result.
//    These splits' masks always sum to 1, so the reference's division by the summed weights
//    never happens (it is checked).
// A clip within one tile (up to 80 frames and 768 px) is encoded whole, exactly as untiled.
#include <cstdint>
#include <functional>

#include "core/tensor.h"
#include "models/video_vae/tiling.h"

namespace ltx2::vae_tiling {

struct EncodeTiling {
    SpatialTiling spatial{768, 64};
    TemporalTiling temporal{80, 24};
};

// The tiles' latent intervals per axis for a video of frames × height × width pixels.
struct EncodeTilePlan {
    AxisIntervals t, h, w;
    size_t num_tiles() const { return t.size() * h.size() * w.size(); }
};
EncodeTilePlan plan_encode_tiles(int64_t frames, int64_t height, int64_t width, const EncodeTiling& config = {},
                                 int spatial_scale = 32, int temporal_scale = 8);

// video F32 [B, 3, F, H, W] (F = 8k + 1, H and W multiples of the spatial scale) → latent
// [B, C, F', H', W']; encode_tile maps a pixel tile to its latent.
using EncodeTileFn = std::function<Tensor(const Tensor& video_tile)>;
Tensor tiled_encode(const Tensor& video, const EncodeTileFn& encode_tile, const EncodeTiling& config = {},
                    int spatial_scale = 32, int temporal_scale = 8);

}  // namespace ltx2::vae_tiling
