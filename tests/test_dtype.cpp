#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "core/dtype.h"

using namespace ltx2;

namespace {

float from_bits(uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

// Reference decoder of an IEEE-like small float written from the format definition.
// `ieee_specials`: the all-ones exponent holds inf/NaN (F16, E5M2); otherwise only the
// all-ones pattern is NaN (E4M3FN) and there is no infinity.
double reference_decode(uint32_t bits, int exp_bits, int man_bits, bool ieee_specials) {
    const int bias = (1 << (exp_bits - 1)) - 1;
    const uint32_t man_mask = (1u << man_bits) - 1, exp_mask = (1u << exp_bits) - 1;
    const bool negative = (bits >> (exp_bits + man_bits)) & 1;
    const uint32_t e = (bits >> man_bits) & exp_mask, m = bits & man_mask;
    double v;
    if (ieee_specials && e == exp_mask)
        v = m ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    else if (!ieee_specials && e == exp_mask && m == man_mask)
        v = std::numeric_limits<double>::quiet_NaN();
    else if (e == 0)
        v = std::ldexp(double(m), 1 - bias - man_bits);  // subnormal
    else
        v = std::ldexp(double(m + (1u << man_bits)), int(e) - bias - man_bits);
    return negative ? -v : v;
}

void expect_same_float(double expected, float actual, uint32_t pattern) {
    if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(actual)) << "pattern 0x" << std::hex << pattern;
    } else {
        EXPECT_EQ(double(actual), expected) << "pattern 0x" << std::hex << pattern;
        EXPECT_EQ(std::signbit(actual), std::signbit(expected)) << "pattern 0x" << std::hex << pattern;
    }
}

// For each pair of adjacent positive finite codes (p, p + 1), the midpoint must round to
// the even code, and values just off the midpoint to the nearer code.
template <class Encode, class Decode>
void expect_ties_to_even(Encode encode, Decode decode, uint32_t max_finite) {
    for (uint32_t p = 0; p < max_finite; ++p) {
        const float lo = decode(p), hi = decode(p + 1);
        const float mid = float((double(lo) + double(hi)) / 2);  // exact: one more bit than the format
        ASSERT_EQ(double(mid), (double(lo) + double(hi)) / 2);
        const uint32_t even = (p % 2 == 0) ? p : p + 1;
        EXPECT_EQ(uint32_t(encode(mid)), even) << "tie between 0x" << std::hex << p << " and 0x" << p + 1;
        EXPECT_EQ(uint32_t(encode(std::nextafter(mid, 0.0f))), p) << "just below midpoint after 0x" << std::hex << p;
        EXPECT_EQ(uint32_t(encode(std::nextafter(mid, hi + 1.0f))), p + 1)
            << "just above midpoint after 0x" << std::hex << p;
    }
}

}  // namespace

TEST(DType, NamesSizesAndParsing) {
    for (DType t : {DType::F32, DType::F64, DType::BF16, DType::F16, DType::F8_E4M3, DType::F8_E5M2, DType::I64,
                    DType::I32, DType::I16, DType::I8, DType::U8, DType::BOOL}) {
        DType parsed;
        ASSERT_TRUE(dtype_from_name(dtype_name(t), parsed)) << dtype_name(t);
        EXPECT_EQ(parsed, t);
    }
    EXPECT_EQ(dtype_name(DType::F8_E4M3), "F8_E4M3");
    EXPECT_EQ(dtype_size(DType::BF16), 2u);
    EXPECT_EQ(dtype_size(DType::I64), 8u);
    EXPECT_TRUE(dtype_is_float(DType::F8_E5M2));
    EXPECT_FALSE(dtype_is_float(DType::I32));
    DType out = DType::U8;
    EXPECT_FALSE(dtype_from_name("f32", out));
    EXPECT_FALSE(dtype_from_name("", out));
    EXPECT_EQ(out, DType::U8) << "unchanged on failure";
}

TEST(DType, Bf16RoundsToNearestEven) {
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f808000)), 0x3f80) << "tie goes to even (down)";
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f818000)), 0x3f82) << "tie goes to even (up)";
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f808001)), 0x3f81);
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f807fff)), 0x3f80);
    EXPECT_EQ(f32_to_bf16(from_bits(0xbf818000)), 0xbf82);
    EXPECT_EQ(f32_to_bf16(from_bits(0x7f7fffff)), 0x7f80) << "largest float rounds to infinity";
    EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
    EXPECT_EQ(f32_to_bf16(-0.0f), 0x8000);
    EXPECT_EQ(f32_to_bf16(from_bits(0x00008000)), 0x0000) << "subnormal tie to even";
    // NaN must stay NaN, including payloads that would round into the infinity pattern.
    for (uint32_t nan : {0x7fc00000u, 0x7f800001u, 0x7fffffffu, 0xff800001u, 0xffc00000u}) {
        uint16_t h = f32_to_bf16(from_bits(nan));
        EXPECT_TRUE(std::isnan(bf16_to_f32(h))) << std::hex << nan << " -> " << h;
    }

    std::mt19937 rng(7);
    for (int i = 0; i < 200000; ++i) {
        const uint32_t bits = rng();
        const float f = from_bits(bits);
        if (!std::isfinite(f)) continue;
        const uint16_t down = uint16_t(bits >> 16);
        const uint16_t up = uint16_t(down + 1);  // next magnitude (may be infinity)
        // Past the largest finite value, IEEE rounds as if the next value were 2^128.
        const double up_value = (up & 0x7fff) == 0x7f80 ? std::copysign(std::ldexp(1.0, 128), f) : bf16_to_f32(up);
        const double d = std::fabs(double(f) - bf16_to_f32(down)), u = std::fabs(up_value - double(f));
        const uint16_t expected = d < u ? down : u < d ? up : (down % 2 == 0 ? down : up);
        ASSERT_EQ(f32_to_bf16(f), expected) << std::hex << bits;
        EXPECT_EQ(round_to_bf16(f), bf16_to_f32(expected));
    }
}

TEST(DType, F16AllPatternsDecodeAndRoundTrip) {
    for (uint32_t p = 0; p < 65536; ++p) {
        const double expected = reference_decode(p, 5, 10, true);
        const float f = f16_to_f32(uint16_t(p));
        expect_same_float(expected, f, p);
        const uint16_t back = f32_to_f16(f);
        if (std::isnan(expected)) {
            EXPECT_EQ(back & 0x7c00, 0x7c00) << std::hex << p;
            EXPECT_NE(back & 0x3ff, 0) << "NaN must stay NaN: 0x" << std::hex << p;
        } else {
            EXPECT_EQ(back, p) << "round trip of 0x" << std::hex << p;
        }
    }
}

TEST(DType, F16RoundingTiesAndOverflow) {
    expect_ties_to_even([](float f) { return f32_to_f16(f); }, [](uint32_t p) { return f16_to_f32(uint16_t(p)); },
                        0x7bff);
    EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00) << "tie past the max (odd 0x7bff) rounds to infinity";
    EXPECT_EQ(f32_to_f16(1e10f), 0x7c00);
    EXPECT_EQ(f32_to_f16(-1e10f), 0xfc00);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000) << "half the smallest subnormal ties to zero";
    EXPECT_EQ(f32_to_f16(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_EQ(f32_to_f16(-std::ldexp(1.0f, -30)), 0x8000);
}

TEST(DType, Fp8E4M3DecodeAllPatterns) {
    for (uint32_t p = 0; p < 256; ++p) expect_same_float(reference_decode(p, 4, 3, false), fp8_e4m3_to_f32(uint8_t(p)), p);
    EXPECT_TRUE(std::isnan(fp8_e4m3_to_f32(0x7f)));
    EXPECT_TRUE(std::isnan(fp8_e4m3_to_f32(0xff)));
    EXPECT_EQ(fp8_e4m3_to_f32(0x7e), 448.0f);
    EXPECT_EQ(fp8_e4m3_to_f32(0xfe), -448.0f);
    EXPECT_EQ(fp8_e4m3_to_f32(0x78), 256.0f) << "exponent 15 is an ordinary binade";
    EXPECT_EQ(fp8_e4m3_to_f32(0x01), std::ldexp(1.0f, -9));
    EXPECT_EQ(fp8_e4m3_to_f32(0x07), 7 * std::ldexp(1.0f, -9));
    EXPECT_EQ(fp8_e4m3_to_f32(0x08), std::ldexp(1.0f, -6));
    EXPECT_EQ(fp8_e4m3_to_f32(0x38), 1.0f);
}

TEST(DType, Fp8E4M3EncodeRoundsLikeTorch) {
    for (uint32_t p = 0; p < 256; ++p) {
        if ((p & 0x7f) == 0x7f) continue;
        EXPECT_EQ(f32_to_fp8_e4m3(fp8_e4m3_to_f32(uint8_t(p))), p) << "round trip of 0x" << std::hex << p;
    }
    expect_ties_to_even([](float f) { return f32_to_fp8_e4m3(f); },
                        [](uint32_t p) { return fp8_e4m3_to_f32(uint8_t(p)); }, 0x7e);
    EXPECT_EQ(f32_to_fp8_e4m3(464.0f), 0x7e) << "tie between 448 and (NaN) 480 goes to even 448";
    EXPECT_EQ(f32_to_fp8_e4m3(-464.0f), 0xfe);
    EXPECT_EQ(f32_to_fp8_e4m3(463.0f), 0x7e);
    EXPECT_EQ(f32_to_fp8_e4m3(470.0f), 0x7f) << "torch rounds (464, 480) up into the NaN code";
    EXPECT_EQ(f32_to_fp8_e4m3(480.0f), 0x7f);
    EXPECT_EQ(f32_to_fp8_e4m3(1e6f), 0x7f);
    EXPECT_EQ(f32_to_fp8_e4m3(-1e6f), 0xff);
    EXPECT_EQ(f32_to_fp8_e4m3(std::numeric_limits<float>::infinity()), 0x7f) << "no infinity in e4m3fn";
    EXPECT_EQ(f32_to_fp8_e4m3(-std::numeric_limits<float>::infinity()), 0xff);
    EXPECT_TRUE(std::isnan(fp8_e4m3_to_f32(f32_to_fp8_e4m3(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_EQ(f32_to_fp8_e4m3(std::ldexp(1.0f, -10)), 0x00) << "half the smallest subnormal ties to zero";
    EXPECT_EQ(f32_to_fp8_e4m3(std::ldexp(3.0f, -10)), 0x02) << "1.5 subnormal steps tie to even 2";
    EXPECT_EQ(f32_to_fp8_e4m3(std::ldexp(15.0f, -10)), 0x08) << "rounds up into the smallest normal";
    EXPECT_EQ(f32_to_fp8_e4m3(-0.0f), 0x80);
}

TEST(DType, Fp8E5M2DecodeAllPatterns) {
    for (uint32_t p = 0; p < 256; ++p) expect_same_float(reference_decode(p, 5, 2, true), fp8_e5m2_to_f32(uint8_t(p)), p);
    EXPECT_TRUE(std::isinf(fp8_e5m2_to_f32(0x7c)));
    EXPECT_LT(fp8_e5m2_to_f32(0xfc), 0.0f);
    EXPECT_TRUE(std::isnan(fp8_e5m2_to_f32(0x7d)));
    EXPECT_TRUE(std::isnan(fp8_e5m2_to_f32(0xff)));
    EXPECT_EQ(fp8_e5m2_to_f32(0x7b), 57344.0f);
    EXPECT_EQ(fp8_e5m2_to_f32(0x01), std::ldexp(1.0f, -16));
    EXPECT_EQ(fp8_e5m2_to_f32(0x3c), 1.0f);
}

TEST(DType, Fp8E5M2EncodeRoundsLikeTorch) {
    for (uint32_t p = 0; p < 256; ++p) {
        const float f = fp8_e5m2_to_f32(uint8_t(p));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(fp8_e5m2_to_f32(f32_to_fp8_e5m2(f)))) << "NaN must stay NaN: 0x" << std::hex << p;
            continue;
        }
        EXPECT_EQ(f32_to_fp8_e5m2(f), p) << "round trip of 0x" << std::hex << p;
    }
    expect_ties_to_even([](float f) { return f32_to_fp8_e5m2(f); },
                        [](uint32_t p) { return fp8_e5m2_to_f32(uint8_t(p)); }, 0x7b);
    EXPECT_EQ(f32_to_fp8_e5m2(61439.0f), 0x7b);
    EXPECT_EQ(f32_to_fp8_e5m2(61440.0f), 0x7c) << "tie past the max (odd 0x7b) rounds to infinity";
    EXPECT_EQ(f32_to_fp8_e5m2(1e9f), 0x7c);
    EXPECT_EQ(f32_to_fp8_e5m2(-1e9f), 0xfc);
    EXPECT_EQ(f32_to_fp8_e5m2(std::ldexp(1.0f, -17)), 0x00);
    EXPECT_EQ(f32_to_fp8_e5m2(std::ldexp(3.0f, -17)), 0x02);
}

TEST(DType, ConvertBetweenTypes) {
    const float src[4] = {1.0f, -2.5f, 448.0f, 0.0f};
    uint16_t bf[4];
    convert(src, DType::F32, bf, DType::BF16, 4);
    float back[4];
    convert(bf, DType::BF16, back, DType::F32, 4);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(back[i], src[i]);
    uint8_t fp8[4];
    convert(src, DType::F32, fp8, DType::F8_E4M3, 4);
    EXPECT_EQ(fp8[2], 0x7e);
    int64_t ints[4];
    convert(src, DType::F32, ints, DType::I64, 4);
    EXPECT_EQ(ints[1], -2);
    int32_t narrow[4];
    convert(ints, DType::I64, narrow, DType::I32, 4);
    EXPECT_EQ(narrow[2], 448);
}
