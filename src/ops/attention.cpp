#include "ops/attention.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options) {
    return call_backend("attention", {&q, &k, &v, &options.key_bias, &options.key_mask})->attention(q, k, v, options);
}

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_bias, int heads,
                 Precision precision) {
    AttentionOptions options;
    options.heads = heads;
    options.key_bias = key_bias;
    options.precision = precision;
    return attention(q, k, v, options);
}

Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const std::array<int, 3>& kernel, Precision precision) {
    return call_backend("neighborhood attention", {&q, &k, &v})
        ->neighborhood_attention_3d(q, k, v, heads, kernel, precision);
}

}  // namespace ltx2
