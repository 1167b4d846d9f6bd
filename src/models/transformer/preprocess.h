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

// caption_projection(context) and the additive mask bias; no per-block K/V.
StreamTextContext project_text(const Modality& m, const StreamRef& s);

// Everything but the text context (left to the caller: cached or projected).
StreamState prepare_stream(const Modality& m, const StreamRef& s, const TransformerConfig& c, const DebugTap& tap);

}  // namespace ltx2
