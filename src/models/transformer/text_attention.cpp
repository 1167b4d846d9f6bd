#include "models/transformer/text_attention.h"

#include "ops/elementwise.h"

namespace ltx2 {

AttentionKV text_attention_kv(const AttentionWeights& attn2, const Tensor& prompt_table,
                              const Tensor& prompt_modulation, const Tensor& context, float eps) {
    if (!prompt_table.defined()) return attention_kv(attn2, context, nullptr, eps);
    Tensor kv_input = context.clone();
    modulate_inplace(kv_input, AdaValue{prompt_table, 1, prompt_modulation, 1},
                     AdaValue{prompt_table, 0, prompt_modulation, 0});
    return attention_kv(attn2, kv_input, nullptr, eps);
}

}  // namespace ltx2
