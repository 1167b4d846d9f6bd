#pragma once
// Multi-head scaled-dot-product attention: softmax(q·kᵀ·scale + bias)·v per head, softmax
// in F32. Works in query blocks so memory is O(Tq_block × Tk), never O(Tq × Tk).
#include <cstdint>

#include "core/precision.h"
#include "core/tensor.h"

namespace ltx2 {

// Head layout, score scale and key visibility of one attention call.
struct AttentionOptions {
    int heads = 1;
    int kv_heads = 0;    // 0: same as heads. Grouped-query: query head h reads kv head h / (heads / kv_heads)
    float scale = 0.f;   // score scale; 0: 1/√head_dim
    Tensor key_bias;     // undefined or F32 [B, Tk], finite: added to every visible key's score
    Tensor key_mask;     // undefined or any dtype [B, Tk]: 0 = key invisible to every query
    // Positions: query row i sits at q_position0 + i, key row j at k_position0 + j.
    int64_t q_position0 = 0;
    int64_t k_position0 = 0;
    bool causal = false;  // a key is visible only if pos_k ≤ pos_q
    int64_t window = 0;   // > 0: a key is visible only if pos_q − pos_k < window
    Precision precision = Precision::F32;
};

// q [B, Tq, heads·D], k/v [B, Tk, kv_heads·D] (F32, unit last stride). Returns [B, Tq, heads·D]
// F32. A query row that sees no key (key_mask, causal, window) gets exactly 0, as torch ≥ 2.5
// SDPA. With causal / window, key ranges no query of a block can see are not computed.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options);

// Plain multi-head attention (kv_heads = heads, scale 1/√D, every key visible). key_bias:
// undefined or F32 [B, Tk] added to every query's scores (the reference's (B,1,1,Tk) additive mask).
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_bias, int heads,
                 Precision precision);

// Query rows per work item (0: automatic). For tuning and tests.
void set_attention_block_rows(int rows);

}  // namespace ltx2
