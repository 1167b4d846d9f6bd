#pragma once
// The key/value side of a block's text cross-attention. With cross_attention_adaln (LTX-2.3)
// the context is modulated before the projections, per sample:
//   context·(1 + scale) + shift, (shift, scale) = prompt_scale_shift_table[0:2] + prompt modulation,
// so the K/V follow the prompt AdaLN of the sigma; otherwise they depend on the context alone.
#include "core/tensor.h"
#include "models/transformer/attention.h"

namespace ltx2 {

// prompt_table: [2, dim] or undefined (no modulation); prompt_modulation: [B, 1, 2·dim].
AttentionKV text_attention_kv(const AttentionWeights& attn2, const Tensor& prompt_table,
                              const Tensor& prompt_modulation, const Tensor& context, float eps);

}  // namespace ltx2
