#include "models/transformer/attention.h"

#include <cmath>

#include "kernels/cpu/linear.h"
#include "kernels/cpu/norm.h"

namespace ltx2 {

namespace {

// out[b, t, h, :] *= 2·sigmoid(logits[b, t, h]) (zero logits give the identity).
void apply_head_gates(Tensor& out, const Tensor& logits, int heads) {
    const int64_t rows = out.numel() / out.size(-1);
    const int64_t hd = out.size(-1) / heads;
    float* o = out.f32();
    const float* g = logits.f32();
    for (int64_t r = 0; r < rows; ++r)
        for (int h = 0; h < heads; ++h) {
            const float gate = 2.0f / (1.0f + std::exp(-g[r * heads + h]));
            float* row = o + r * out.size(-1) + h * hd;
            for (int64_t i = 0; i < hd; ++i) row[i] *= gate;
        }
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

Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const AttentionKV& kv, const RopeTable* q_rope,
                         const Tensor& key_bias, float eps, Precision precision) {
    Tensor q = linear(x, w.to_q.weight, w.to_q.bias);
    rms_norm_inplace(q, w.q_norm, eps);
    if (q_rope) rope_apply_inplace(q, *q_rope);
    Tensor out = attention(q, kv.k, kv.v, key_bias, w.heads, precision);
    if (w.to_gate_logits.weight.defined())
        apply_head_gates(out, linear(x, w.to_gate_logits.weight, w.to_gate_logits.bias), w.heads);
    return linear(out, w.to_out.weight, w.to_out.bias);
}

Tensor attention_forward(const AttentionWeights& w, const Tensor& x, const Tensor& context, const RopeTable* q_rope,
                         const RopeTable* k_rope, const Tensor& key_bias, float eps, Precision precision) {
    return attention_forward(w, x, attention_kv(w, context, k_rope, eps), q_rope, key_bias, eps, precision);
}

}  // namespace ltx2
