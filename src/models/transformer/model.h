#pragma once
// LTXModel: the LTX-2 audio+video diffusion transformer (velocity prediction), and X0Model
// (denoised = latent − velocity · sigma per token).
#include <memory>

#include "io/weight_store.h"
#include "kernels/cpu/attention.h"
#include "models/transformer/config.h"
#include "models/transformer/modality.h"
#include "models/transformer/perturbations.h"
#include "models/transformer/weights.h"

namespace ltx2 {

// Per-stream results; undefined for an absent stream.
struct AVTensors {
    Tensor video;
    Tensor audio;
};

class LTXModel {
public:
    // Config from the store's `config` metadata, weights as zero-copy views.
    static LTXModel load(const WeightStore& store);
    static LTXModel load(const WeightStore& store, const TransformerConfig& config);

    const TransformerConfig& config() const { return config_; }
    const TransformerWeights& weights() const { return *weights_; }
    // BF16 weights: bf16 products (linear, attention) with F32 activations.
    bool bf16() const { return weights_->bf16; }
    Precision precision() const { return bf16() ? Precision::BF16 : Precision::F32; }

    // Caption projections, masks and the per-block text cross-attention K/V for the given
    // contexts (the modalities' latents are not used). Pass the result to forward() at every
    // step with the same contexts.
    TextContextCache prepare_text(const Modality* video, const Modality* audio) const;

    // Velocities. A null modality is absent (the video-only model takes no audio).
    // perturbations: one entry per batch sample, or empty for none.
    AVTensors forward(const Modality* video, const Modality* audio, const BatchedPerturbations& perturbations = {},
                      const TextContextCache* text = nullptr, const DebugTap& tap = {}) const;

private:
    LTXModel(TransformerConfig config, std::shared_ptr<const TransformerWeights> weights)
        : config_(std::move(config)), weights_(std::move(weights)) {}
    Tensor output_head(const StreamWeights& w, const StreamState& s) const;

    TransformerConfig config_;
    std::shared_ptr<const TransformerWeights> weights_;
};

// x0 = latent − velocity · timesteps in float32; timesteps per token (B·T values) or per sample (B).
Tensor to_denoised(const Tensor& latent, const Tensor& velocity, const Tensor& timesteps);

// Denoised outputs of the model (the reference's X0Model); velocities optionally returned.
AVTensors x0_forward(const LTXModel& model, const Modality* video, const Modality* audio,
                     const BatchedPerturbations& perturbations = {}, const TextContextCache* text = nullptr,
                     AVTensors* velocities = nullptr, const DebugTap& tap = {});

}  // namespace ltx2
