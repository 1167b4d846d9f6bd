#pragma once
// Multi-head scaled-dot-product attention, softmax(q·kᵀ·scale + bias)·v per head with the
// softmax in F32, and 3-D neighborhood attention.
#include <array>

#include "ops/op_params.h"

namespace ltx2 {

// q [B, Tq, heads·D], k/v [B, Tk, kv_heads·D] (F32, unit last stride). Returns [B, Tq, heads·D]
// F32. A query row that sees no key (key_mask, causal, window) gets exactly 0, as torch ≥ 2.5
// SDPA.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options);
// Plain multi-head attention (kv_heads = heads, scale 1/√D, every key visible). key_bias:
// undefined or F32 [B, Tk] added to every query's scores (the reference's (B,1,1,Tk) additive mask).
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_bias, int heads,
                 Precision precision);

// natten `na3d` window semantics: along an axis of length L and kernel k' = min(k, L), the query
// at i sees keys [s, s + k'), s = clamp(i − k'/2, 0, L − k') (windows shift inward at the borders,
// nothing is padded). q, k, v [B, T, H, W, heads·D] F32 contiguous; q already carries the score
// scale. Returns [B, T, H, W, heads·D]: per head, softmax(q·kᵀ over the window)·v. Precision::BF16
// rounds q, k, v and the softmax weights to bf16 for the two products (f32 accumulation and softmax).
Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const std::array<int, 3>& kernel, Precision precision = Precision::F32);

}  // namespace ltx2
