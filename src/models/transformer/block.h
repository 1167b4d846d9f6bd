#pragma once
// One BasicAVTransformerBlock: video and audio self-attention + text cross-attention, the
// audio↔video cross-attentions, then both feed-forwards.
#include "core/precision.h"
#include "models/transformer/config.h"
#include "models/transformer/modality.h"
#include "models/transformer/perturbations.h"
#include "models/transformer/weights.h"

namespace ltx2 {

struct BlockContext {
    const TransformerConfig& config;
    const BatchedPerturbations& perturbations;
    Precision precision;
    const DebugTap& tap;
};

// Updates video->x / audio->x in place. Either stream may be null (absent); a stream with
// enabled = false keeps its state but still feeds the other stream's cross-attention.
void transformer_block(const BlockWeights& w, int index, StreamState* video, StreamState* audio,
                       const BlockContext& ctx);

}  // namespace ltx2
