// 32-value ggml blocks: x = d·q (Q4_0, Q5_0, Q8_0, IQ4_NL) or x = d·q + m (Q4_1, Q5_1).
// Layouts (bytes): Q4_0 d:f16 qs[16] | Q4_1 d m qs[16] | Q5_0 d qh:u32 qs[16] |
// Q5_1 d m qh qs[16] | Q8_0 d qs:i8[32] | IQ4_NL d qs[16]. Value j < 16 is the low nibble of
// qs[j], value j + 16 its high nibble; Q5's fifth bit of value j is bit j of qh.
#include "core/dtype.h"
#include "kernels/cpu/dequant_blocks.h"

namespace ltx2::cpu::dequant {

void decode_q4_0(const uint8_t* b, float* y) {
    const float d = load_half(b);
    const uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = float((qs[j] & 0x0f) - 8) * d;
        y[j + 16] = float((qs[j] >> 4) - 8) * d;
    }
}

void decode_q4_1(const uint8_t* b, float* y) {
    const float d = load_half(b), m = load_half(b + 2);
    const uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = float(qs[j] & 0x0f) * d + m;
        y[j + 16] = float(qs[j] >> 4) * d + m;
    }
}

namespace {
// The 5-bit codes of Q5_0 / Q5_1 (0..31).
inline void q5_codes(const uint8_t* qh_bytes, const uint8_t* qs, int* codes) {
    const uint32_t qh = load_u32(qh_bytes);
    for (int j = 0; j < 16; ++j) {
        codes[j] = int(qs[j] & 0x0f) | int(((qh >> j) & 1u) << 4);
        codes[j + 16] = int(qs[j] >> 4) | int(((qh >> (j + 16)) & 1u) << 4);
    }
}
}  // namespace

void decode_q5_0(const uint8_t* b, float* y) {
    const float d = load_half(b);
    int codes[32];
    q5_codes(b + 2, b + 6, codes);
    for (int j = 0; j < 32; ++j) y[j] = float(codes[j] - 16) * d;
}

void decode_q5_1(const uint8_t* b, float* y) {
    const float d = load_half(b), m = load_half(b + 2);
    int codes[32];
    q5_codes(b + 4, b + 8, codes);
    for (int j = 0; j < 32; ++j) y[j] = float(codes[j]) * d + m;
}

void decode_q8_0(const uint8_t* b, float* y) {
    const float d = load_half(b);
    const auto* qs = reinterpret_cast<const int8_t*>(b + 2);
    for (int j = 0; j < 32; ++j) y[j] = float(qs[j]) * d;
}

void decode_iq4_nl(const uint8_t* b, float* y) {
    const float d = load_half(b);
    const uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = d * float(kIq4nlLevels[qs[j] & 0x0f]);
        y[j + 16] = d * float(kIq4nlLevels[qs[j] >> 4]);
    }
}

void f16_row_to_f32(const uint8_t* src, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = load_half(src + 2 * i);
}

void bf16_row_to_f32(const uint8_t* src, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load_u16(src + 2 * i));
}

}  // namespace ltx2::cpu::dequant
