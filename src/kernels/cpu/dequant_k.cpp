// 256-value ggml super-blocks (K-quants and IQ4_XS): sub-blocks of 16 or 32 values, each with a
// small integer scale (and min) multiplied by the super-block's f16 scale d (and dmin).
// Layouts (bytes):
//   Q2_K   scales[16] (lo nibble scale, hi nibble min) qs[64] (2-bit) d dmin
//   Q3_K   hmask[32] (3rd bit) qs[64] (2-bit) scales[12] (16 packed 6-bit, offset 32) d
//   Q4_K   d dmin scales[12] (8 packed 6-bit scales + 8 mins) qs[128] (4-bit)
//   Q5_K   d dmin scales[12] qh[32] (5th bit) qs[128]
//   Q6_K   ql[128] (low 4 bits) qh[64] (high 2 bits) scales:i8[16] d
//   IQ4_XS d scales_h:u16 scales_l[4] (8 packed 6-bit scales, offset 32) qs[128] (IQ4_NL codes)
#include "kernels/cpu/dequant_blocks.h"

namespace ltx2::cpu::dequant {

void decode_q2_k(const uint8_t* b, float* y) {
    const uint8_t* scales = b;
    const uint8_t* q = b + 16;
    const float d = load_half(b + 80), dmin = load_half(b + 82);
    int is = 0;
    for (int half = 0; half < 2; ++half, q += 32)
        for (int shift = 0; shift < 8; shift += 2)
            for (int g = 0; g < 2; ++g) {
                const uint8_t sc = scales[is++];
                const float dl = d * float(sc & 0x0f), ml = dmin * float(sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * float((q[16 * g + l] >> shift) & 3) - ml;
            }
}

void decode_q3_k(const uint8_t* b, float* y) {
    const uint8_t* hmask = b;
    const uint8_t* q = b + 32;
    const float d = load_half(b + 108);
    int scales[16];
    q3_k_scales(b + 96, scales);
    int is = 0;
    uint8_t bit = 1;
    for (int half = 0; half < 2; ++half, q += 32)
        for (int shift = 0; shift < 8; shift += 2, bit = uint8_t(bit << 1))
            for (int g = 0; g < 2; ++g) {
                const float dl = d * float(scales[is++]);
                for (int l = 0; l < 16; ++l) {
                    const int low = (q[16 * g + l] >> shift) & 3;
                    *y++ = dl * float(low - ((hmask[16 * g + l] & bit) ? 0 : 4));
                }
            }
}

void decode_q4_k(const uint8_t* b, float* y) {
    const uint8_t* q = b + 16;
    for (int j = 0; j < 8; j += 2, q += 32) {
        const K4PairScales s = k4_pair_scales(b, j);
        for (int l = 0; l < 32; ++l) *y++ = s.d1 * float(q[l] & 0x0f) - s.m1;
        for (int l = 0; l < 32; ++l) *y++ = s.d2 * float(q[l] >> 4) - s.m2;
    }
}

void decode_q5_k(const uint8_t* b, float* y) {
    const uint8_t* qh = b + 16;
    const uint8_t* ql = b + 48;
    for (int j = 0; j < 8; j += 2, ql += 32) {
        const K4PairScales s = k4_pair_scales(b, j);
        // Bit j of qh[l] is the fifth bit of sub-block j's value l, bit j + 1 of sub-block j + 1's.
        for (int l = 0; l < 32; ++l) *y++ = s.d1 * float((ql[l] & 0x0f) | (((qh[l] >> j) & 1) << 4)) - s.m1;
        for (int l = 0; l < 32; ++l) *y++ = s.d2 * float((ql[l] >> 4) | (((qh[l] >> (j + 1)) & 1) << 4)) - s.m2;
    }
}

void decode_q6_k(const uint8_t* b, float* y) {
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const auto* sc = reinterpret_cast<const int8_t*>(b + 192);
    const float d = load_half(b + 208);
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8)
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * float(sc[is]) * float(q1);
            y[l + 32] = d * float(sc[is + 2]) * float(q2);
            y[l + 64] = d * float(sc[is + 4]) * float(q3);
            y[l + 96] = d * float(sc[is + 6]) * float(q4);
        }
}

void decode_iq4_xs(const uint8_t* b, float* y) {
    const float d = load_half(b);
    const uint16_t scales_h = load_u16(b + 2);
    const uint8_t* scales_l = b + 4;
    const uint8_t* qs = b + 8;
    for (int ib = 0; ib < 8; ++ib, y += 32, qs += 16) {
        const int ls = ((scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0f) | (((scales_h >> (2 * ib)) & 3) << 4);
        const float dl = d * float(ls - 32);
        for (int j = 0; j < 16; ++j) {
            y[j] = dl * float(kIq4nlLevels[qs[j] & 0x0f]);
            y[j + 16] = dl * float(kIq4nlLevels[qs[j] >> 4]);
        }
    }
}

}  // namespace ltx2::cpu::dequant
