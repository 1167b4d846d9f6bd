#include "models/gemma3/kv_cache.h"

#include "core/error.h"

namespace ltx2 {

Gemma3KvCache Gemma3KvCache::with_capacity(const Gemma3Config& config, int64_t capacity) {
    LTX2_CHECK(capacity > 0, "gemma3: KV cache capacity {} must be positive", capacity);
    Gemma3KvCache cache;
    for (int i = 0; i < config.num_hidden_layers; ++i) {
        cache.keys.push_back(Tensor::zeros({1, capacity, config.kv_width()}));
        cache.values.push_back(Tensor::zeros({1, capacity, config.kv_width()}));
    }
    return cache;
}

}  // namespace ltx2
