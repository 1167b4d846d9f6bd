#pragma once
// LTX-2.5 diffusion video VAE decoder ("DiffVAE", CausalDiffusionVAE / NADiffusionDecoder),
// untiled, as the reference's CHUNKED_EAGER mode computes it: four deterministic
// neighborhood-attention stages turn the latent into a context volume; one x0 step of the
// diffusion stage turns a noise canvas into pixels guided by that context.
#include <functional>
#include <string>

#include "core/tensor.h"
#include "diffusion/torch_rng.h"
#include "io/weight_store.h"
#include "models/diffvae/config.h"
#include "models/diffvae/weights.h"

namespace ltx2 {

// Called with intermediate results, named as the golden fixture's dbg.* tensors (without "dbg.").
using DiffVaeTap = std::function<void(const std::string& name, const Tensor& value)>;

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

    const DiffVaeConfig& config() const { return config_; }

private:
    void check_latent(const Tensor& latent) const;
    Tensor context(const Tensor& latent_padded, const DiffVaeTap& tap) const;  // stages 1-4
    Tensor diffusion_stage(const Tensor& context, const Tensor& canvas, const DiffVaeTap& tap) const;

    DiffVaeConfig config_;
    DiffVaeWeights w_;
    std::string source_;
};

}  // namespace ltx2
