#pragma once
// One-block decoders behind dequantize_row (kernels/cpu/dequant.h). Each reads one ggml block
// (little-endian, any alignment) and writes its block_elems float32 values.
#include <cstdint>
#include <cstring>

#include "core/ggml_types.h"

namespace ltx2::cpu::dequant {

// 32-value blocks (dequant_legacy.cpp).
void decode_q4_0(const uint8_t* block, float* out);
void decode_q4_1(const uint8_t* block, float* out);
void decode_q5_0(const uint8_t* block, float* out);
void decode_q5_1(const uint8_t* block, float* out);
void decode_q8_0(const uint8_t* block, float* out);
void decode_iq4_nl(const uint8_t* block, float* out);
// Unblocked float rows (dequant_legacy.cpp).
void f16_row_to_f32(const uint8_t* src, float* out, int64_t n);
void bf16_row_to_f32(const uint8_t* src, float* out, int64_t n);

// 256-value super-blocks (dequant_k.cpp).
void decode_q2_k(const uint8_t* block, float* out);
void decode_q3_k(const uint8_t* block, float* out);
void decode_q4_k(const uint8_t* block, float* out);
void decode_q5_k(const uint8_t* block, float* out);
void decode_q6_k(const uint8_t* block, float* out);
void decode_iq4_xs(const uint8_t* block, float* out);

// Highway paths (dequant_simd.cpp), bitwise equal to the decoders above: whole rows of blocks
// of the types that have one (returns false for the others).
bool blocks_to_f32_simd(GgmlType type, const uint8_t* blocks, float* out, int64_t nblocks);
void f16_row_to_f32_simd(const uint8_t* src, float* out, int64_t n);

// IQ4_NL / IQ4_XS code book: the non-uniform 4-bit levels.
inline constexpr int8_t kIq4nlLevels[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

inline uint16_t load_u16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

inline uint32_t load_u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// IEEE half to float, exact (as ggml converts block scales); NaN payloads kept, quieted.
// Bit manipulation rather than core/dtype.h's ldexp-based f16_to_f32: this runs once per block.
inline float half_to_f32(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13) | (mantissa ? 0x400000u : 0u);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else {
        const float magnitude = float(mantissa) * 0x1p-24f;  // subnormal (or zero): exact
        return sign ? -magnitude : magnitude;
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline float load_half(const uint8_t* p) { return half_to_f32(load_u16(p)); }

// Q3_K: the 16 six-bit scales (offset −32) from their 12 bytes. Low 4 bits: nibbles of bytes
// 0..7 (low nibbles first); high 2 bits: bit pairs of bytes 8..11.
inline void q3_k_scales(const uint8_t* s, int* scales) {
    for (int i = 0; i < 16; ++i) {
        const int low = (i < 8) ? (s[i] & 0x0f) : (s[i - 8] >> 4);
        const int high = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
        scales[i] = (low | (high << 4)) - 32;
    }
}

// Q4_K / Q5_K (layout: d, dmin, 12 scale bytes): the scales and mins of sub-blocks j and j + 1
// (j even; 6 bits each, packed) of block b, multiplied by the block's d and dmin.
struct K4PairScales {
    float d1, m1, d2, m2;
};
inline K4PairScales k4_pair_scales(const uint8_t* b, int j) {
    const float d = load_half(b), dmin = load_half(b + 2);
    const uint8_t* s = b + 4;
    float out[4];
    for (int k = 0; k < 2; ++k, ++j) {
        int sc, m;
        if (j < 4) {
            sc = s[j] & 63;
            m = s[j + 4] & 63;
        } else {
            sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
            m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
        }
        out[2 * k] = d * float(sc);
        out[2 * k + 1] = dmin * float(m);
    }
    return {out[0], out[1], out[2], out[3]};
}

}  // namespace ltx2::cpu::dequant
