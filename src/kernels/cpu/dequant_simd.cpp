// Highway versions of the decoders of every type but IQ4_NL / IQ4_XS. Lane for lane
// they compute what the scalar decoders compute, in the same order: codes become exact int32,
// then float, then one IEEE multiply (and subtract), so the results are bitwise the same.
#include "kernels/cpu/dequant_blocks.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/dequant_simd.cpp"
#include <hwy/foreach_target.h>

#include "kernels/cpu/simd.h"

HWY_BEFORE_NAMESPACE();
namespace ltx2::cpu::dequant::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
// At most 16 lanes: every 16-value group of a block is then a whole number of vectors, and a
// vector never straddles two sub-blocks with different scales.
using DF = hn::CappedTag<float, 16>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VI = hn::Vec<DI>;

// Lanes(DF) bytes at p, zero- or sign-extended to int32 lanes.
inline VI load_u8(const uint8_t* p) { return hn::PromoteTo(DI(), hn::LoadU(hn::Rebind<uint8_t, DF>(), p)); }
inline VI load_i8(const uint8_t* p) {
    return hn::PromoteTo(DI(), hn::LoadU(hn::Rebind<int8_t, DF>(), reinterpret_cast<const int8_t*>(p)));
}
inline VF to_float(VI v) { return hn::ConvertTo(DF(), v); }
inline VI low_nibble(VI v) { return hn::And(v, hn::Set(DI(), 0x0f)); }
inline VI high_nibble(VI v) { return hn::ShiftRight<4>(v); }
// (v >> bit) & 1, moved to bit 4: a Q5 fifth bit.
inline VI fifth_bit(VI v, int bit) { return hn::ShiftLeft<4>(hn::And(hn::ShiftRightSame(v, bit), hn::Set(DI(), 1))); }
// Q5_0 / Q5_1: the fifth bits of values first..first + lanes − 1, which are those bits of qh.
inline VI fifth_bits(uint32_t qh, int first) {
    const DI di;
    const VI bits = hn::And(hn::Set(di, int32_t(qh)) >> hn::Iota(di, first), hn::Set(di, 1));
    return hn::ShiftLeft<4>(bits);
}

void q8_0_block(const uint8_t* b, float* y) {
    const DF df;
    const VF d = hn::Set(df, load_half(b));
    for (size_t j = 0; j < 32; j += hn::Lanes(df)) hn::StoreU(hn::Mul(to_float(load_i8(b + 2 + j)), d), df, y + j);
}

void q4_0_block(const uint8_t* b, float* y) {
    const DF df;
    const VF d = hn::Set(df, load_half(b));
    const VI eight = hn::Set(DI(), 8);
    for (size_t j = 0; j < 16; j += hn::Lanes(df)) {
        const VI q = load_u8(b + 2 + j);
        hn::StoreU(hn::Mul(to_float(hn::Sub(low_nibble(q), eight)), d), df, y + j);
        hn::StoreU(hn::Mul(to_float(hn::Sub(high_nibble(q), eight)), d), df, y + 16 + j);
    }
}

void q4_1_block(const uint8_t* b, float* y) {
    const DF df;
    const VF d = hn::Set(df, load_half(b)), m = hn::Set(df, load_half(b + 2));
    for (size_t j = 0; j < 16; j += hn::Lanes(df)) {
        const VI q = load_u8(b + 4 + j);
        hn::StoreU(hn::Add(hn::Mul(to_float(low_nibble(q)), d), m), df, y + j);
        hn::StoreU(hn::Add(hn::Mul(to_float(high_nibble(q)), d), m), df, y + 16 + j);
    }
}

void q5_0_block(const uint8_t* b, float* y) {
    const DF df;
    const VF d = hn::Set(df, load_half(b));
    const uint32_t qh = load_u32(b + 2);
    const VI sixteen = hn::Set(DI(), 16);
    for (size_t j = 0; j < 16; j += hn::Lanes(df)) {
        const VI q = load_u8(b + 6 + j);
        const VI lo = hn::Or(low_nibble(q), fifth_bits(qh, int(j)));
        const VI hi = hn::Or(high_nibble(q), fifth_bits(qh, int(j) + 16));
        hn::StoreU(hn::Mul(to_float(hn::Sub(lo, sixteen)), d), df, y + j);
        hn::StoreU(hn::Mul(to_float(hn::Sub(hi, sixteen)), d), df, y + 16 + j);
    }
}

void q5_1_block(const uint8_t* b, float* y) {
    const DF df;
    const VF d = hn::Set(df, load_half(b)), m = hn::Set(df, load_half(b + 2));
    const uint32_t qh = load_u32(b + 4);
    for (size_t j = 0; j < 16; j += hn::Lanes(df)) {
        const VI q = load_u8(b + 8 + j);
        const VI lo = hn::Or(low_nibble(q), fifth_bits(qh, int(j)));
        const VI hi = hn::Or(high_nibble(q), fifth_bits(qh, int(j) + 16));
        hn::StoreU(hn::Add(hn::Mul(to_float(lo), d), m), df, y + j);
        hn::StoreU(hn::Add(hn::Mul(to_float(hi), d), m), df, y + 16 + j);
    }
}

void q2_k_block(const uint8_t* b, float* y) {
    const DF df;
    const uint8_t* scales = b;
    const uint8_t* q = b + 16;
    const float d = load_half(b + 80), dmin = load_half(b + 82);
    const VI three = hn::Set(DI(), 3);
    int is = 0;
    for (int half = 0; half < 2; ++half, q += 32)
        for (int shift = 0; shift < 8; shift += 2)
            for (int g = 0; g < 2; ++g, y += 16) {
                const uint8_t sc = scales[is++];
                const VF dl = hn::Set(df, d * float(sc & 0x0f)), ml = hn::Set(df, dmin * float(sc >> 4));
                for (size_t l = 0; l < 16; l += hn::Lanes(df)) {
                    const VI code = hn::And(hn::ShiftRightSame(load_u8(q + 16 * g + l), shift), three);
                    hn::StoreU(hn::Sub(hn::Mul(dl, to_float(code)), ml), df, y + l);
                }
            }
}

void q3_k_block(const uint8_t* b, float* y) {
    const DF df;
    const DI di;
    const uint8_t* hmask = b;
    const uint8_t* q = b + 32;
    const float d = load_half(b + 108);
    int scales[16];
    q3_k_scales(b + 96, scales);
    const VI three = hn::Set(di, 3), four = hn::Set(di, 4);
    int is = 0;
    int bit = 1;
    for (int half = 0; half < 2; ++half, q += 32)
        for (int shift = 0; shift < 8; shift += 2, bit <<= 1)
            for (int g = 0; g < 2; ++g, y += 16) {
                const VF dl = hn::Set(df, d * float(scales[is++]));
                for (size_t l = 0; l < 16; l += hn::Lanes(df)) {
                    const VI low = hn::And(hn::ShiftRightSame(load_u8(q + 16 * g + l), shift), three);
                    const VI high = hn::And(load_u8(hmask + 16 * g + l), hn::Set(di, bit));
                    const auto high_clear = hn::Eq(high, hn::Zero(di));
                    const VI code = hn::Sub(low, hn::IfThenElseZero(high_clear, four));
                    hn::StoreU(hn::Mul(dl, to_float(code)), df, y + l);
                }
            }
}

// The four broadcast scales of a Q4_K / Q5_K 64-value chunk.
struct K4PairVectors {
    VF d1, m1, d2, m2;
};
inline K4PairVectors k4_pair_vectors(const uint8_t* b, int j) {
    const DF df;
    const K4PairScales s = k4_pair_scales(b, j);
    return {hn::Set(df, s.d1), hn::Set(df, s.m1), hn::Set(df, s.d2), hn::Set(df, s.m2)};
}

void q4_k_block(const uint8_t* b, float* y) {
    const DF df;
    const uint8_t* q = b + 16;
    for (int j = 0; j < 8; j += 2, q += 32, y += 64) {
        const auto [vd1, vm1, vd2, vm2] = k4_pair_vectors(b, j);
        for (size_t l = 0; l < 32; l += hn::Lanes(df)) {
            const VI v = load_u8(q + l);
            hn::StoreU(hn::Sub(hn::Mul(vd1, to_float(low_nibble(v))), vm1), df, y + l);
            hn::StoreU(hn::Sub(hn::Mul(vd2, to_float(high_nibble(v))), vm2), df, y + 32 + l);
        }
    }
}

void q5_k_block(const uint8_t* b, float* y) {
    const DF df;
    const uint8_t* qh = b + 16;
    const uint8_t* ql = b + 48;
    for (int j = 0; j < 8; j += 2, ql += 32, y += 64) {
        const auto [vd1, vm1, vd2, vm2] = k4_pair_vectors(b, j);
        for (size_t l = 0; l < 32; l += hn::Lanes(df)) {
            const VI v = load_u8(ql + l), h = load_u8(qh + l);
            const VI lo = hn::Or(low_nibble(v), fifth_bit(h, j)), hi = hn::Or(high_nibble(v), fifth_bit(h, j + 1));
            hn::StoreU(hn::Sub(hn::Mul(vd1, to_float(lo)), vm1), df, y + l);
            hn::StoreU(hn::Sub(hn::Mul(vd2, to_float(hi)), vm2), df, y + 32 + l);
        }
    }
}

void q6_k_block(const uint8_t* b, float* y) {
    const DF df;
    const DI di;
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const auto* sc = reinterpret_cast<const int8_t*>(b + 192);
    const float d = load_half(b + 208);
    const VI three = hn::Set(di, 3), offset = hn::Set(di, 32);
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8)
        for (size_t l = 0; l < 32; l += hn::Lanes(df)) {
            const size_t is = l / 16;
            const VI a = load_u8(ql + l), c = load_u8(ql + 32 + l), h = load_u8(qh + l);
            // The high 2 bits of quarter g are bits 2g..2g+1 of h, moved to bits 4..5.
            const VI q1 = hn::Sub(hn::Or(low_nibble(a), hn::ShiftLeft<4>(hn::And(h, three))), offset);
            const VI q2 = hn::Sub(hn::Or(low_nibble(c), hn::ShiftLeft<2>(hn::And(h, hn::Set(di, 12)))), offset);
            const VI q3 = hn::Sub(hn::Or(high_nibble(a), hn::And(h, hn::Set(di, 48))), offset);
            const VI q4 = hn::Sub(hn::Or(high_nibble(c), hn::ShiftRight<2>(hn::And(h, hn::Set(di, 192)))), offset);
            hn::StoreU(hn::Mul(hn::Set(df, d * float(sc[is])), to_float(q1)), df, y + l);
            hn::StoreU(hn::Mul(hn::Set(df, d * float(sc[is + 2])), to_float(q2)), df, y + 32 + l);
            hn::StoreU(hn::Mul(hn::Set(df, d * float(sc[is + 4])), to_float(q3)), df, y + 64 + l);
            hn::StoreU(hn::Mul(hn::Set(df, d * float(sc[is + 6])), to_float(q4)), df, y + 96 + l);
        }
}

template <void (*Block)(const uint8_t*, float*)>
bool rows(GgmlType type, const uint8_t* src, float* out, int64_t nblocks) {
    const GgmlTypeTraits& t = ggml_type_traits(type);
    for (int64_t i = 0; i < nblocks; ++i) Block(src + size_t(i) * t.block_bytes, out + i * t.block_elems);
    return true;
}

void F16RowToF32(const uint8_t* src, float* out, int64_t n) {
    const DF df;
    const hn::Rebind<hwy::float16_t, DF> dh;
    const auto* h = reinterpret_cast<const hwy::float16_t*>(src);
    const int64_t L = int64_t(hn::Lanes(df));
    int64_t i = 0;
    for (; i + L <= n; i += L) hn::StoreU(hn::PromoteTo(df, hn::LoadU(dh, h + i)), df, out + i);
    for (; i < n; ++i) out[i] = load_half(src + 2 * i);
}

bool BlocksToF32(GgmlType type, const uint8_t* src, float* out, int64_t nblocks) {
    switch (type) {
        case GgmlType::Q8_0: return rows<q8_0_block>(type, src, out, nblocks);
        case GgmlType::Q4_0: return rows<q4_0_block>(type, src, out, nblocks);
        case GgmlType::Q4_1: return rows<q4_1_block>(type, src, out, nblocks);
        case GgmlType::Q5_0: return rows<q5_0_block>(type, src, out, nblocks);
        case GgmlType::Q5_1: return rows<q5_1_block>(type, src, out, nblocks);
        case GgmlType::Q2_K: return rows<q2_k_block>(type, src, out, nblocks);
        case GgmlType::Q3_K: return rows<q3_k_block>(type, src, out, nblocks);
        case GgmlType::Q4_K: return rows<q4_k_block>(type, src, out, nblocks);
        case GgmlType::Q5_K: return rows<q5_k_block>(type, src, out, nblocks);
        case GgmlType::Q6_K: return rows<q6_k_block>(type, src, out, nblocks);
        default: return false;
    }
}

}  // namespace
}  // namespace ltx2::cpu::dequant::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ltx2::cpu::dequant {

HWY_EXPORT(F16RowToF32);
HWY_EXPORT(BlocksToF32);

void f16_row_to_f32_simd(const uint8_t* src, float* out, int64_t n) { LTX2_SIMD_DISPATCH(F16RowToF32)(src, out, n); }

bool blocks_to_f32_simd(GgmlType type, const uint8_t* src, float* out, int64_t nblocks) {
    return LTX2_SIMD_DISPATCH(BlocksToF32)(type, src, out, nblocks);
}

}  // namespace ltx2::cpu::dequant
#endif  // HWY_ONCE
