#pragma once
// LTXModel: the LTX-2 audio+video diffusion transformer (velocity prediction), and X0Model
// (denoised = latent − velocity · sigma per token).
#include <functional>
#include <memory>

#include "io/weight_store.h"
#include "core/precision.h"
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

// One block of a forward pass, for progress and benchmarks.
struct BlockEvent {
    int block = 0;
    int num_blocks = 0;
    double load_seconds = 0;     // materializing the block's weights (decode; page-in of views is in compute)
    double compute_seconds = 0;
};

struct TransformerLoadOptions {
    // Bytes the transformer's weights may keep resident; 0: no limit. When the blocks (stored
    // bytes plus decoded copies) do not fit, they are streamed: each block is materialized just
    // before it runs (views of the mapping; quantized or fp8 tensors decoded into one reused
    // arena) and dropped after, the next block's pages are read ahead, and when even the stored
    // bytes do not fit, the used pages are released from residency after each block.
    size_t weight_budget_bytes = 0;
    std::function<void(const BlockEvent&)> on_block;  // called after every block of a forward
};

class LTXModel {
public:
    // Config from the store's `config` metadata, weights as zero-copy views (decoded copies
    // for quantized/fp8 storage).
    static LTXModel load(const WeightStore& store, const TransformerLoadOptions& options = {});
    static LTXModel load(const WeightStore& store, const TransformerConfig& config,
                         const TransformerLoadOptions& options = {});

    bool streams_blocks() const;      // blocks are materialized per forward
    bool releases_blocks() const;     // and released from residency after use

    const TransformerConfig& config() const { return config_; }
    const TransformerWeights& weights() const { return *weights_; }
    // BF16 weights: bf16 products (linear, attention) with F32 activations.
    bool bf16() const { return weights_->bf16; }
    // The precision it was loaded for (load_transformer: BF16 uses the checkpoint's bf16 weights,
    // F32 widens them); forward and prepare_text run every product at it (PrecisionScope).
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
    struct BlockStreamer;
    LTXModel(TransformerConfig config, std::shared_ptr<const TransformerWeights> weights,
             std::shared_ptr<BlockStreamer> streamer)
        : config_(std::move(config)), weights_(std::move(weights)), streamer_(std::move(streamer)) {}
    Tensor output_head(const StreamWeights& w, const StreamState& s) const;

    TransformerConfig config_;
    std::shared_ptr<const TransformerWeights> weights_;
    std::shared_ptr<BlockStreamer> streamer_;  // null when every block is resident
};

// x0 = latent − velocity · timesteps in float32; timesteps per token (B·T values) or per sample (B).
Tensor to_denoised(const Tensor& latent, const Tensor& velocity, const Tensor& timesteps);

// Denoised outputs of the model (the reference's X0Model); velocities optionally returned.
AVTensors x0_forward(const LTXModel& model, const Modality* video, const Modality* audio,
                     const BatchedPerturbations& perturbations = {}, const TextContextCache* text = nullptr,
                     AVTensors* velocities = nullptr, const DebugTap& tap = {});

}  // namespace ltx2
