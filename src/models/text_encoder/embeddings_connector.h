#pragma once
// LTX's embeddings connector (video and audio each have one, same structure, own width): the
// real token rows come first and the padding rows become learnable registers, then a small 1-D
// transformer (split RoPE over row indices, self-attention over every row, optionally gated per
// head as 2·sigmoid(to_gate_logits(x)), GELU feed-forward) and a final RMS norm. Batch size 1:
// LTX encodes one prompt at a time.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "core/precision.h"
#include "models/text_encoder/config.h"
#include "models/transformer/weights.h"

namespace ltx2 {

// Receives intermediate tensors: "registers_applied" [1, T, C], "rope_cos" / "rope_sin"
// (split: [1, heads, T, head_dim/2]; interleaved: [1, T, C]), "block_output.{i}" [1, T, C],
// with gated attention "block{i}_gates" [1, T, heads].
using ConnectorTap = std::function<void(const std::string& name, const Tensor& value)>;

struct ConnectorBlockWeights {
    AttentionWeights attn1;
    FeedForwardWeights ff;
};

struct ConnectorOutput {
    Tensor hidden_states;  // [T, C] F32
    Tensor additive_mask;  // [1, 1, 1, T] F32, 0 = visible: after register replacement every row is
};

class EmbeddingsConnector {
public:
    // `store` opened with the connector's prefix (kVideoConnectorPrefix / kAudioConnectorPrefix).
    // F32: weights converted to F32 copies; BF16: stored weights used in place. Tensors under
    // the prefix that no block reads are refused.
    static EmbeddingsConnector load(const WeightStore& store, const ConnectorConfig& config, Precision precision);

    const ConnectorConfig& config() const { return config_; }
    int64_t width() const { return registers_.size(1); }
    int64_t num_registers() const { return registers_.size(0); }
    Precision precision() const { return precision_; }

    // real_rows: the V real token rows [V, C] (F32 or BF16), in order; total_rows: the padded
    // sequence length T (a multiple of the register count, ≥ V). Rows V..T−1 take
    // learnable_registers[p mod R] by their absolute row p.
    ConnectorOutput forward(const Tensor& real_rows, int64_t total_rows, const ConnectorTap& tap = {}) const;

private:
    ConnectorConfig config_;
    Precision precision_ = Precision::F32;
    Tensor registers_;  // [R, C]
    std::vector<ConnectorBlockWeights> blocks_;
};

}  // namespace ltx2
