#pragma once
// The keys (normed and rotated) and values of every token a Gemma 3 model has run so far, one
// pair per layer, so that generation runs each new token through the layers once.
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "models/gemma3/config.h"

namespace ltx2 {

struct Gemma3KvCache {
    std::vector<Tensor> keys, values;  // per layer, F32 [1, capacity, kv_width]
    int64_t length = 0;                // tokens held, at positions 0 .. length − 1

    // Room for `capacity` tokens (prompt and generated ones together).
    static Gemma3KvCache with_capacity(const Gemma3Config& config, int64_t capacity);
    int64_t capacity() const { return keys.empty() ? 0 : keys.front().size(1); }
};

}  // namespace ltx2
