#pragma once
// What the transformer takes per stream and what it hands to its blocks.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ops/host.h"
#include "ops/rope.h"
#include "models/transformer/attention.h"

namespace ltx2 {

// One stream's input (the reference's Modality).
struct Modality {
    Tensor latent;        // [B, T, in_channels] patchified latent (F32; BF16 is widened)
    Tensor timesteps;     // per-token sigma: B·T values ([B, T] or [B, T, 1]), or one per sample ([B])
    Tensor positions;     // [B, n_axes, T, 2] [start, end) bounds; F32, or BF16 as the bf16 pipeline has them
    Tensor context;       // [B, L, caption_channels] text features
    Tensor context_mask;  // undefined, or [B, L]: integer (1 keep, 0 drop) or an additive float bias
    Tensor sigma;         // [B] the sample's noise level (LTX-2.3: prompt AdaLN and the other stream's AV gate)
    // Undefined, or [B, T, T] self-attention weights in [0, 1] (LTX-2.3): ln(m) is added to the
    // scores of this stream's self-attention, m <= 0 masks the key.
    Tensor attention_mask;
    // Undefined, or [B, T, 1]: tokens with a value > 0 get the keyframe embedding (LTX-2.5; a
    // model without the embedding ignores it).
    Tensor keyframes_mask;
    bool enabled = true;  // false: the stream is carried unchanged through every block
};

// Intermediate tensors by name ("video.x_proj", "block0.attn1_out", "block1_audio", ...),
// for parity checks; unset in production.
using DebugTap = std::function<void(const std::string& name, const Tensor& value)>;

// The text context of one stream after the caption projection, with the per-block K/V of
// its text cross-attention. The context depends only on the text, so a caller may compute it
// once per generation and pass it to every step. The K/V do too, unless the model modulates
// them with the prompt AdaLN (TransformerConfig::text_kv_depends_on_sigma): then they hold for
// the per-sample sigma they were built with (kv_sigma), and a step at another sigma computes
// its own from the context.
struct StreamTextContext {
    Tensor context;                  // [B, L, dim] projected
    Tensor key_bias;                 // [B, L] additive mask, or undefined
    std::vector<AttentionKV> blocks;  // attn2 K/V per block; empty: computed in each step
    std::vector<float> kv_sigma;      // the sigma `blocks` were built with; empty: sigma-independent

    // The per-block K/V are exact for an input at this per-sample sigma.
    bool kv_hold_for(const Tensor& sigma) const {
        return blocks.empty() || kv_sigma.empty() || kv_sigma == copy_to_host(sigma);
    }
};

struct TextContextCache {
    StreamTextContext video, audio;
};

// The per-stream arguments of the blocks (the reference's TransformerArgs).
struct StreamState {
    Tensor x;                  // [B, T, dim]
    const StreamTextContext* cached_text = nullptr;  // the caller's cache, or
    StreamTextContext own_text;                      // computed for this call
    const StreamTextContext& text() const { return cached_text ? *cached_text : own_text; }
    Tensor modulation;         // [B, Tt, rows·dim], Tt = T or 1, rows = TransformerConfig::adaln_rows()
    Tensor prompt_modulation;  // [B, 1, 2·dim] text K/V shift, scale (cross_attention_adaln; zeros without prompt AdaLN)
    Tensor self_attention_bias;  // [B, T, T] additive, or undefined
    Tensor embedded_timestep;  // [B, Tt, dim]
    RopeTable rope;
    // Audio+video model only.
    RopeTable cross_rope;
    Tensor cross_scale_shift;  // [B, Tt, 4·dim]
    Tensor cross_gate;         // [B, Tt, dim]
    bool enabled = true;
};

}  // namespace ltx2
