#pragma once
// The transformer's attention module: q/k/v projections, RMSNorm of q and k over the whole
// inner width, RoPE, softmax attention, optional per-head gates, output projection.
// Keys and values are a separate step so that a constant context's K/V can be computed once
// and reused (the text cross-attentions see the same context at every denoising step).
#include <vector>

#include "core/tensor.h"
#include "ops/attention.h"
#include "ops/rope.h"
#include "models/transformer/weights.h"

namespace ltx2 {

struct AttentionKV {
    Tensor k;  // [B, Tk, inner], normalised and rotated
    Tensor v;  // [B, Tk, inner]
    bool defined() const { return k.defined(); }
};

// k = k_norm(to_k(context)) (rotated by k_rope when given), v = to_v(context).
AttentionKV attention_kv(const AttentionWeights& w, const Tensor& context, const RopeTable* k_rope, float eps);

// What one attention call adds to q, k, v.
struct AttentionCall {
    const RopeTable* q_rope = nullptr;
    Tensor key_bias;    // [B, Tk] additive (context mask), or undefined
    Tensor score_bias;  // [B, Tq, Tk] additive (self-attention mask), or undefined
    // Per sample: softmax(q·kᵀ)·v replaced by v itself (a skipped self-attention at LTX-2.3;
    // Tq = Tk). Empty: none. The gates and to_out still apply.
    std::vector<bool> value_only;
    Tensor* gates = nullptr;  // receives the per-head gates 2·sigmoid(to_gate_logits(x)) [B, Tq, heads]
};

Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const AttentionKV& kv, const AttentionCall& call,
                         float eps, Precision precision);

// to_out(attention(q_norm(to_q(x)) rotated by q_rope, kv, key_bias)); x [B, Tq, query_dim].
Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const AttentionKV& kv, const RopeTable* q_rope,
                         const Tensor& key_bias, float eps, Precision precision);

// Both steps; context = x for self-attention.
Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const Tensor& context, const RopeTable* q_rope,
                         const RopeTable* k_rope, const Tensor& key_bias, float eps, Precision precision);

}  // namespace ltx2
