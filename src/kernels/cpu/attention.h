#pragma once
// Multi-head scaled-dot-product attention: softmax(q·kᵀ/√d + bias)·v per head, softmax
// in F32. Works in query blocks so memory is O(Tq_block × Tk), never O(Tq × Tk).
#include "core/tensor.h"

namespace ltx2 {

enum class Precision { F32, BF16 };  // BF16: products in bf16 with f32 accumulation

// q [B, Tq, H·D], k/v [B, Tk, H·D] (F32, contiguous); key_bias: undefined or F32 [B, Tk]
// added to every query's scores (the reference's (B,1,1,Tk) additive mask).
// Returns [B, Tq, H·D] F32.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_bias, int heads,
                 Precision precision);

// Query rows per work item (0: automatic). For tuning and tests.
void set_attention_block_rows(int rows);

}  // namespace ltx2
