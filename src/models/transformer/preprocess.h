#pragma once
// Per-stream preparation before the blocks: patchify projection, AdaLN timestep modulation,
// caption projection and mask, RoPE tables (and for the AV model the cross-attention RoPE and
// the two AV AdaLN embedders).
#include <string>

#include "models/transformer/config.h"
#include "models/transformer/modality.h"
#include "models/transformer/weights.h"

namespace ltx2 {

// Which stream is being prepared: its config, weights and the names used in messages.
struct StreamRef {
    const StreamConfig& config;
    const StreamWeights& weights;
    const char* name;  // "video" / "audio"
};

// Checks a modality's tensors against the stream config; errors name the stream and tensor.
void validate_modality(const Modality& m, const StreamRef& s, const TransformerConfig& c);

// caption_projection(context) (the context itself without one) and the additive mask bias;
// no per-block K/V.
StreamTextContext project_text(const Modality& m, const StreamRef& s, const TransformerConfig& c);

// [B, 1, 2·dim] shift and scale added to the prompt_scale_shift_tables for the text K/V
// input: prompt_adaln_single(sigma · multiplier), zeros without the prompt AdaLN. Undefined
// without cross_attention_adaln.
Tensor prompt_modulation(const Modality& m, const StreamRef& s, const TransformerConfig& c);

// Everything but the text context (left to the caller: cached or projected). `other` is the
// other stream's input (null if absent): its sigma drives this stream's AV gate when
// semantics.av_gate_from_other_sigma.
StreamState prepare_stream(const Modality& m, const StreamRef& s, const TransformerConfig& c, const Modality* other,
                           const DebugTap& tap);

}  // namespace ltx2
