#include "models/transformer/attention.h"

#include <algorithm>

#include "core/error.h"

#include "ops/linear.h"
#include "ops/masks.h"
#include "ops/norm.h"
#include "ops/rows.h"

namespace ltx2 {

namespace {

// softmax(q·kᵀ/√d + bias[b, i, :])·v. Consecutive query rows with the same bias row in every
// sample (masks are block-structured) share one kernel call with that row as the key bias.
Tensor attention_score_bias(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& score_bias, int heads,
                            Precision precision) {
    const int64_t b = q.size(0), tq = q.size(1), tk = k.size(1);
    LTX2_CHECK(score_bias.dim() == 3 && score_bias.size(0) == b && score_bias.size(1) == tq &&
                   score_bias.size(2) == tk,
               "attention: score bias has shape {}, expected ({}, {}, {})", shape_str(score_bias.shape()), b, tq, tk);
    const Tensor bias = score_bias.to(DType::F32).contiguous();
    Tensor out = Tensor::empty({b, tq, v.size(2)});
    int64_t i = 0;
    for (const int64_t j : equal_row_runs(bias)) {
        const Tensor rows = attention(q.slice(1, i, j).contiguous(), k, v, bias.select(1, i).contiguous(), heads,
                                      precision);
        Tensor dst = out.slice(1, i, j);
        dst.copy_from(rows);
        i = j;
    }
    return out;
}

}  // namespace

AttentionKV attention_kv(const AttentionWeights& w, const Tensor& context, const RopeTable* k_rope, float eps) {
    AttentionKV kv;
    kv.k = linear(context, w.to_k.weight, w.to_k.bias);
    rms_norm_inplace(kv.k, w.k_norm, eps);
    if (k_rope) rope_apply_inplace(kv.k, *k_rope);
    kv.v = linear(context, w.to_v.weight, w.to_v.bias);
    return kv;
}

Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const AttentionKV& kv, const AttentionCall& call,
                         float eps, Precision precision) {
    const std::vector<bool>& value_only = call.value_only;
    const bool all_value = !value_only.empty() && std::all_of(value_only.begin(), value_only.end(), [](bool b) { return b; });
    LTX2_CHECK(value_only.empty() || int64_t(value_only.size()) == x.size(0),
               "attention: {} value pass-through flags for a batch of {}", value_only.size(), x.size(0));
    Tensor out;
    if (all_value) {
        out = kv.v.clone();  // no query / key work at all
    } else {
        LTX2_CHECK(!(call.score_bias.defined() && call.key_bias.defined()),
                   "attention: a score bias and a key bias in one call are not supported");
        Tensor q = linear(x, w.to_q.weight, w.to_q.bias);
        rms_norm_inplace(q, w.q_norm, eps);
        if (call.q_rope) rope_apply_inplace(q, *call.q_rope);
        out = call.score_bias.defined() ? attention_score_bias(q, kv.k, kv.v, call.score_bias, w.heads, precision)
                                        : attention(q, kv.k, kv.v, call.key_bias, w.heads, precision);
        // attn·k + v·(1 − k) with a per-sample k ∈ {0, 1}.
        for (size_t b = 0; b < value_only.size(); ++b)
            if (value_only[b]) {
                Tensor dst = out.slice(0, int64_t(b), int64_t(b) + 1);
                dst.copy_from(kv.v.slice(0, int64_t(b), int64_t(b) + 1));
            }
    }
    if (w.to_gate_logits.weight.defined()) {
        Tensor gates = linear(x, w.to_gate_logits.weight, w.to_gate_logits.bias);
        apply_head_gates_inplace(out, gates);
        if (call.gates) *call.gates = gates;
    }
    return linear(out, w.to_out.weight, w.to_out.bias);
}

Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const AttentionKV& kv, const RopeTable* q_rope,
                         const Tensor& key_bias, float eps, Precision precision) {
    AttentionCall call;
    call.q_rope = q_rope;
    call.key_bias = key_bias;
    return attention_forward(w, x, kv, call, eps, precision);
}

Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const Tensor& context, const RopeTable* q_rope,
                         const RopeTable* k_rope, const Tensor& key_bias, float eps, Precision precision) {
    return attention_forward(w, x, attention_kv(w, context, k_rope, eps), q_rope, key_bias, eps, precision);
}

}  // namespace ltx2
