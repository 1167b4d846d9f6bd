#pragma once
// LTX-2.5 diffusion video VAE decoder ("DiffVAE", CausalDiffusionVAE / NADiffusionDecoder),
// untiled, as the reference's CHUNKED_EAGER mode computes it: four deterministic
// neighborhood-attention stages turn the latent into a context volume; one x0 step of the
// diffusion stage turns a noise canvas into pixels guided by that context.
#include <functional>
#include <string>

#include "core/tensor.h"
#include "core/torch_rng.h"
#include "io/weight_store.h"
#include "models/diffvae/config.h"
#include "models/diffvae/geometry.h"
#include "models/diffvae/tiling.h"
#include "models/diffvae/weights.h"

namespace ltx2 {

// Called with intermediate results, named as the golden fixture's dbg.* tensors (without "dbg.");
// a tiled decode also reports each finished tile as "tile i/n" with its pixels.
using DiffVaeTap = std::function<void(const std::string& name, const Tensor& value)>;

// How decode() splits stages 4-5: explicit tile sizes (none tiled: one tile), or the sizes
// diffvae_tiling_for_budget picks for a memory budget.
struct DiffVaeTiling {
    DiffVaeTileSizes sizes;
    double budget_bytes = 0;    // > 0: choose the sizes from this budget (sizes ignored)
    double resident_bytes = 0;  // with a budget: what the process holds anyway (weights included)

    static DiffVaeTiling untiled() { return {}; }
    static DiffVaeTiling with_sizes(const DiffVaeTileSizes& s) { return {s, 0, 0}; }
    static DiffVaeTiling from_budget(double budget, double resident) { return {{}, budget, resident}; }
};

class DiffVaeDecoder {
public:
    // Reads the config (`config.vae`) and `vae.decoder.*` / `vae.per_channel_statistics.*`
    // (store prefix "vae.").
    static DiffVaeDecoder load(const WeightStore& store,
                               DiffVaeWeightPrecision precision = DiffVaeWeightPrecision::F32);
    static DiffVaeDecoder load(const WeightStore& store, const DiffVaeConfig& config,
                               DiffVaeWeightPrecision precision);

    // The noise canvas decode() needs for a latent [B, C, T, H, W]: [B, out_channels, F5, H5, W5]
    // covering the floor-padded latent.
    Shape noise_canvas_shape(const Shape& latent_shape) const;

    // latent [B, in_channels, T, H, W] (F32 or BF16, normalised as the encoder writes it) and
    // noise canvas (noise_canvas_shape) -> video F32 [B, out_channels, 8(T−1)+1, 32H, 32W],
    // nominally in [−1, 1] (not clamped).
    Tensor decode(const Tensor& latent, const Tensor& noise_canvas, const DiffVaeTap& tap = {}) const;
    // The same with the canvas drawn as the reference draws it: torch.randn(canvas, float32, generator).
    Tensor decode(const Tensor& latent, TorchGenerator& generator, const DiffVaeTap& tap = {}) const;
    // Tiled: stages 1-3 once on the whole latent, stages 4-5 per tile (tiling.h), each tile's
    // canvas drawn from the generator as [B, out_channels, F5, H5, W5] of that tile, in tile
    // order, and the tiles blended. One tile draws the same canvas as decode(latent, generator)
    // and gives the same video bit for bit.
    Tensor decode(const Tensor& latent, TorchGenerator& generator, const DiffVaeTiling& tiling,
                  const DiffVaeTap& tap = {}) const;

    // The tile sizes decode(latent, generator, tiling) uses for a latent of this shape.
    DiffVaeTileSizes tile_sizes(const Shape& latent_shape, const DiffVaeTiling& tiling) const;
    // The schedule of those sizes on the latent's stage-4 grid (after the latent floor).
    DiffVaeTileSchedule tile_schedule(const Shape& latent_shape, const DiffVaeTileSizes& sizes) const;

    const DiffVaeConfig& config() const { return config_; }

private:
    void check_latent(const Tensor& latent) const;
    // One batch item floored to the minimum latent and given its ghost frames.
    Tensor floored_latent(const Tensor& latent, int64_t b, AxisPad* h_pad, AxisPad* w_pad) const;
    Tensor stage4_input(const Tensor& latent_floored, const DiffVaeTap& tap) const;  // stages 1-3
    // Stage 4 on a stage-4 feature (tile), worked on in place (pass a copy to keep the original);
    // trailing: the feature ends with the ghost frames, cropped here.
    Tensor stage4_context(Tensor feature, bool trailing, const DiffVaeTap& tap) const;
    // origin: the context starts at frame 0 (its doubling drops the leading frame).
    Tensor diffusion_stage(const Tensor& context, const Tensor& canvas, bool origin, const DiffVaeTap& tap) const;

    DiffVaeConfig config_;
    DiffVaeWeights w_;
    std::string source_;
};

}  // namespace ltx2
