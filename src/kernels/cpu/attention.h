#pragma once
// Multi-head scaled-dot-product attention: softmax(q·kᵀ·scale + bias)·v per head, softmax
// in F32. Works in query blocks so memory is O(Tq_block × Tk), never O(Tq × Tk).
#include <cstdint>

#include "ops/op_params.h"

namespace ltx2::cpu {

// q [B, Tq, heads·D], k/v [B, Tk, kv_heads·D] (F32, unit last stride). Returns [B, Tq, heads·D]
// F32. A query row that sees no key (key_mask, causal, window) gets exactly 0, as torch ≥ 2.5
// SDPA. With causal / window, key ranges no query of a block can see are not computed.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options);

// Query rows per work item (0: automatic). For tuning and tests.
void set_attention_block_rows(int rows);

}  // namespace ltx2::cpu
