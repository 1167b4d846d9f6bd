#pragma once
// Reproducible random tensors for benchmarks and the demo model: the values only need to be
// benign and the same on every machine, not statistically good.
#include <cstdint>

#include "core/error.h"
#include "core/tensor.h"

namespace ltx2 {

struct XorShift64 {
    uint64_t s;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f; }  // [-1, 1)
};

// Uniform in [-scale, scale), F32 or BF16.
inline Tensor random_uniform_tensor(const Shape& shape, DType dtype, float scale, uint64_t seed) {
    Tensor t = Tensor::zeros(shape, dtype);
    XorShift64 rng{seed * 0x9E3779B97F4A7C15ull + 1};
    const int64_t n = t.numel();
    if (dtype == DType::BF16) {
        uint16_t* p = t.data<uint16_t>();
        for (int64_t i = 0; i < n; ++i) p[i] = f32_to_bf16(rng.uniform() * scale);
    } else {
        LTX2_CHECK(dtype == DType::F32, "random_uniform_tensor: dtype {} is not F32 or BF16", dtype_name(dtype));
        float* p = t.data<float>();
        for (int64_t i = 0; i < n; ++i) p[i] = rng.uniform() * scale;
    }
    return t;
}

}  // namespace ltx2
