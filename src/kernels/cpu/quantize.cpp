#include "kernels/cpu/quantize.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/dtype.h"
#include "core/error.h"

namespace ltx2::cpu {

namespace {

using BlockEncoder = void (*)(const float* x, uint8_t* block);

BlockEncoder block_encoder(GgmlType type) {
    switch (type) {
        case GgmlType::Q8_0: return quant::encode_q8_0;
        case GgmlType::Q4_K: return quant::encode_q4_k;
        case GgmlType::Q5_K: return quant::encode_q5_k;
        case GgmlType::Q6_K: return quant::encode_q6_k;
        default: return nullptr;
    }
}

const GgmlTypeTraits& checked_traits(GgmlType type, int64_t n) {
    const GgmlTypeTraits& t = ggml_type_traits(type);
    LTX2_CHECK(block_encoder(type) != nullptr, "quantize: type {} is not supported (q8_0, q4_K, q5_K, q6_K are)",
               t.name);
    LTX2_CHECK(n >= 0 && n % t.block_elems == 0,
               "quantize: {} values of type {} are not a whole number of {}-value blocks", n, t.name, t.block_elems);
    return t;
}

}  // namespace

namespace quant {

// Q8_0: d = max|x| / 127 (stored as f16), q = round(x / d) with halves away from zero.
void encode_q8_0(const float* x, uint8_t* block) {
    constexpr int kN = 32;
    float amax = 0.0f;
    for (int i = 0; i < kN; ++i) amax = std::max(amax, std::fabs(x[i]));
    const float d = amax / 127.0f;
    const float inv_d = d != 0.0f ? 1.0f / d : 0.0f;
    const uint16_t d_half = f32_to_f16(d);
    std::memcpy(block, &d_half, 2);
    for (int i = 0; i < kN; ++i) block[2 + i] = uint8_t(int8_t(std::round(x[i] * inv_d)));
}

}  // namespace quant

bool quantize_supported(GgmlType type) { return block_encoder(type) != nullptr; }

void quantize_row(GgmlType type, const float* x, void* blocks, int64_t n) {
    const GgmlTypeTraits& t = checked_traits(type, n);
    const BlockEncoder encode = block_encoder(type);
    auto* dst = static_cast<uint8_t*>(blocks);
    for (int64_t b = 0; b < n / t.block_elems; ++b) encode(x + b * t.block_elems, dst + size_t(b) * t.block_bytes);
}

void quantize(GgmlType type, const float* x, void* blocks, int64_t n) {
    const GgmlTypeTraits& t = checked_traits(type, n);
    const BlockEncoder encode = block_encoder(type);
    auto* dst = static_cast<uint8_t*>(blocks);
    const int64_t nblocks = n / t.block_elems;
#pragma omp parallel for schedule(static, 64) if (nblocks >= 256 && !omp_in_parallel())
    for (int64_t b = 0; b < nblocks; ++b) encode(x + b * t.block_elems, dst + size_t(b) * t.block_bytes);
}

}  // namespace ltx2::cpu
