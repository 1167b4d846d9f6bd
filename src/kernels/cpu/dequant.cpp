#include "kernels/cpu/dequant.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "kernels/cpu/cpu_common.h"
#include "kernels/cpu/dequant_blocks.h"

namespace ltx2::cpu {

namespace {

using BlockDecoder = void (*)(const uint8_t* block, float* out);

BlockDecoder block_decoder(GgmlType type) {
    switch (type) {
        case GgmlType::Q4_0: return dequant::decode_q4_0;
        case GgmlType::Q4_1: return dequant::decode_q4_1;
        case GgmlType::Q5_0: return dequant::decode_q5_0;
        case GgmlType::Q5_1: return dequant::decode_q5_1;
        case GgmlType::Q8_0: return dequant::decode_q8_0;
        case GgmlType::Q2_K: return dequant::decode_q2_k;
        case GgmlType::Q3_K: return dequant::decode_q3_k;
        case GgmlType::Q4_K: return dequant::decode_q4_k;
        case GgmlType::Q5_K: return dequant::decode_q5_k;
        case GgmlType::Q6_K: return dequant::decode_q6_k;
        case GgmlType::IQ4_NL: return dequant::decode_iq4_nl;
        case GgmlType::IQ4_XS: return dequant::decode_iq4_xs;
        case GgmlType::F32:
        case GgmlType::F16:
        case GgmlType::BF16: break;
    }
    return nullptr;
}

void check_row_length(GgmlType type, int64_t n) {
    const GgmlTypeTraits& t = ggml_type_traits(type);
    LTX2_CHECK(n >= 0 && n % t.block_elems == 0,
               "dequantize: {} values of type {} are not a whole number of {}-value blocks", n, t.name, t.block_elems);
}

// Values per parallel work item: a multiple of every block size, large enough to amortise the
// scheduling, small enough that the bf16 path's float staging buffer stays in L1/L2.
constexpr int64_t kChunk = 8192;
constexpr int64_t kParallelMin = int64_t(1) << 16;

template <class Fn>
void for_each_chunk(int64_t n, Fn&& fn) {
    const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n >= kParallelMin && !omp_in_parallel())
    for (int64_t c = 0; c < chunks; ++c) fn(c * kChunk, std::min(kChunk, n - c * kChunk));
}

}  // namespace

void dequantize_row_reference(GgmlType type, const void* blocks, float* out, int64_t n) {
    check_row_length(type, n);
    const auto* src = static_cast<const uint8_t*>(blocks);
    switch (type) {
        case GgmlType::F32: std::memcpy(out, src, size_t(n) * sizeof(float)); return;
        case GgmlType::F16: dequant::f16_row_to_f32(src, out, n); return;
        case GgmlType::BF16: dequant::bf16_row_to_f32(src, out, n); return;
        default: break;
    }
    const GgmlTypeTraits& t = ggml_type_traits(type);
    const BlockDecoder decode = block_decoder(type);
    for (int64_t b = 0; b < n / t.block_elems; ++b) decode(src + size_t(b) * t.block_bytes, out + b * t.block_elems);
}

void dequantize_row(GgmlType type, const void* blocks, float* out, int64_t n) {
    check_row_length(type, n);
    const auto* src = static_cast<const uint8_t*>(blocks);
    if (type == GgmlType::F16) return dequant::f16_row_to_f32_simd(src, out, n);
    if (!dequant::blocks_to_f32_simd(type, src, out, n / ggml_type_traits(type).block_elems))
        dequantize_row_reference(type, blocks, out, n);
}

void dequantize_row_bf16(GgmlType type, const void* blocks, uint16_t* out, int64_t n) {
    check_row_length(type, n);
    if (type == GgmlType::BF16) {
        std::memcpy(out, blocks, size_t(n) * 2);
        return;
    }
    alignas(64) float staging[kChunk];
    for (int64_t i = 0; i < n; i += kChunk) {
        const int64_t m = std::min(kChunk, n - i);
        dequantize_row(type, static_cast<const uint8_t*>(blocks) + ggml_row_bytes(type, i), staging, m);
        f32_to_bf16_array(staging, out + i, size_t(m));
    }
}

void dequantize(GgmlType type, const void* blocks, float* out, int64_t n) {
    check_row_length(type, n);
    for_each_chunk(n, [&](int64_t begin, int64_t count) {
        dequantize_row(type, static_cast<const uint8_t*>(blocks) + ggml_row_bytes(type, begin), out + begin, count);
    });
}

void dequantize_bf16(GgmlType type, const void* blocks, uint16_t* out, int64_t n) {
    check_row_length(type, n);
    for_each_chunk(n, [&](int64_t begin, int64_t count) {
        dequantize_row_bf16(type, static_cast<const uint8_t*>(blocks) + ggml_row_bytes(type, begin), out + begin,
                            count);
    });
}

}  // namespace ltx2::cpu
