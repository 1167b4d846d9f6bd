#include "models/text_encoder/embeddings_connector.h"

#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "ops/rope.h"
#include "models/transformer/attention.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

// Tensors with their exact shapes, as F32 copies for Precision::F32.
class Loader : public ModelWeightLoader {
public:
    Loader(const WeightStore& store, Precision precision)
        : ModelWeightLoader(store), to_f32_(precision == Precision::F32) {}

    Tensor get(const std::string& name, const Shape& shape) {
        Tensor t = ModelWeightLoader::get(name, shape);
        return to_f32_ ? t.to(DType::F32) : t;
    }
    LinearWeights linear(const std::string& name, int64_t in, int64_t out) {
        return {get(name + ".weight", {out, in}), get(name + ".bias", {out})};
    }
    ConnectorBlockWeights block(const std::string& name, const ConnectorConfig& c) {
        const int64_t C = c.width();
        ConnectorBlockWeights b;
        AttentionWeights& a = b.attn1;
        a.heads = c.heads;
        a.head_dim = c.head_dim;
        a.to_q = linear(name + ".attn1.to_q", C, C);
        a.to_k = linear(name + ".attn1.to_k", C, C);
        a.to_v = linear(name + ".attn1.to_v", C, C);
        a.to_out = linear(name + ".attn1.to_out.0", C, C);
        a.q_norm = get(name + ".attn1.q_norm.weight", {C});
        a.k_norm = get(name + ".attn1.k_norm.weight", {C});
        if (c.gated_attention) a.to_gate_logits = linear(name + ".attn1.to_gate_logits", C, a.heads);
        b.ff = {linear(name + ".ff.net.0.proj", C, 4 * C), linear(name + ".ff.net.2", 4 * C, C)};
        return b;
    }

private:
    bool to_f32_;
};

// Rows 0..V−1 = the real rows, rows p = V..T−1 = registers[p mod R]; [1, T, C] F32.
Tensor with_registers(const Tensor& real_rows, const Tensor& registers, int64_t T) {
    const int64_t V = real_rows.size(0), C = registers.size(1), R = registers.size(0);
    Tensor x = Tensor::zeros({1, T, C});
    Tensor rows = x.select(0, 0);
    if (V > 0) rows.slice(0, 0, V).copy_from(real_rows);
    for (int64_t p = V; p < T; ++p) rows.slice(0, p, p + 1).copy_from(registers.slice(0, p % R, p % R + 1));
    return x;
}

// The table as the reference reports it: split [1, T, H·hd/2] → [1, H, T, hd/2].
Tensor per_head(const Tensor& table, const RopeTable& rope) {
    if (rope.layout != RopeLayout::Split) return table;
    const int64_t T = table.size(1), H = rope.heads;
    return table.reshape({1, T, H, table.size(2) / H}).permute({0, 2, 1, 3}).contiguous();
}

Tensor rms(const Tensor& x, float eps) { return rms_norm(x, Tensor(), eps); }

Tensor feed_forward(const FeedForwardWeights& w, const Tensor& x) {
    Tensor h = linear(x, w.proj_in.weight, w.proj_in.bias);
    gelu_tanh_inplace(h);
    return linear(h, w.proj_out.weight, w.proj_out.bias);
}

}  // namespace

EmbeddingsConnector EmbeddingsConnector::load(const WeightStore& store, const ConnectorConfig& config,
                                              Precision precision) {
    const int64_t C = config.width(), R = config.registers;
    if (store.has("learnable_registers")) {  // explain a mismatch in the config's terms
        const Tensor stored = store.get("learnable_registers");
        LTX2_CHECK(stored.dim() == 2 && stored.size(1) == C,
                   "{}: tensor 'learnable_registers' has shape {}: its rows must be the configured connector heads x "
                   "head dim = {} x {} = {} wide",
                   store.describe(), shape_str(stored.shape()), config.heads, config.head_dim, C);
        LTX2_CHECK(stored.size(0) == R,
                   "{}: tensor 'learnable_registers' holds {} registers, but connector_num_learnable_registers is {}",
                   store.describe(), stored.size(0), R);
    }

    Loader l(store, precision);
    EmbeddingsConnector c;
    c.config_ = config;
    c.precision_ = precision;
    c.registers_ = l.get("learnable_registers", {R, C});
    for (int i = 0; i < config.layers; ++i)
        c.blocks_.push_back(l.block(fmt::format("transformer_1d_blocks.{}", i), config));
    l.reject_unused({}, fmt::format("an embeddings connector of {} layers (connector_num_layers) with{} gated attention",
                                    config.layers, config.gated_attention ? "" : "out"));
    return c;
}

ConnectorOutput EmbeddingsConnector::forward(const Tensor& real_rows, int64_t total_rows,
                                             const ConnectorTap& tap) const {
    const int64_t C = width(), R = num_registers(), T = total_rows;
    LTX2_CHECK(real_rows.defined() && real_rows.dim() == 2 && real_rows.size(1) == C,
               "embeddings connector: the real rows have shape {}, expected [V, {}] (the connector width)",
               real_rows.defined() ? shape_str(real_rows.shape()) : "undefined", C);
    LTX2_CHECK(real_rows.dtype() == DType::F32 || real_rows.dtype() == DType::BF16,
               "embeddings connector: the real rows have dtype {}, expected F32 or BF16", dtype_name(real_rows.dtype()));
    const int64_t V = real_rows.size(0);
    LTX2_CHECK(T >= 1, "embeddings connector: sequence length {} must be positive", T);
    LTX2_CHECK(T >= V, "embeddings connector: sequence length {} is shorter than the {} real rows", T, V);
    LTX2_CHECK(T % R == 0,
               "embeddings connector: sequence length {} is not a multiple of the {} learnable registers", T, R);
    const float eps = config_.norm_eps;

    Tensor x = with_registers(real_rows, registers_, T);
    if (tap) tap("registers_applied", x);

    std::vector<float> row_index(static_cast<size_t>(T));
    std::iota(row_index.begin(), row_index.end(), 0.0f);
    const RopeTable rope = rope_table(Tensor::from_f32({1, 1, T}, row_index), config_.rope_spec());
    if (tap) {
        tap("rope_cos", per_head(rope.cos, rope));
        tap("rope_sin", per_head(rope.sin, rope));
    }

    for (size_t i = 0; i < blocks_.size(); ++i) {
        const ConnectorBlockWeights& b = blocks_[i];
        const Tensor n = rms(x, eps);
        Tensor gates;  // the per-head factors 2·sigmoid(to_gate_logits(n)) of gated attention, for the tap
        AttentionCall call;
        call.q_rope = &rope;
        call.gates = tap ? &gates : nullptr;
        add_inplace(x, attention_forward(b.attn1, n, attention_kv(b.attn1, n, &rope, eps), call, eps, precision_));
        if (gates.defined()) tap(fmt::format("block{}_gates", i), gates);
        add_inplace(x, feed_forward(b.ff, rms(x, eps)));
        if (tap) tap(fmt::format("block_output.{}", i), x);
    }
    rms_norm_inplace(x, Tensor(), eps);
    return {x.reshape({T, C}), Tensor::zeros({1, 1, 1, T})};
}

}  // namespace ltx2
