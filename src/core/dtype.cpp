#include "core/dtype.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace ltx2 {

namespace {
struct DTypeInfo {
    DType type;
    std::string_view name;
    size_t size;
    bool is_float;
};
constexpr DTypeInfo kInfo[] = {
    {DType::F32, "F32", 4, true},         {DType::F64, "F64", 8, true},
    {DType::BF16, "BF16", 2, true},       {DType::F16, "F16", 2, true},
    {DType::F8_E4M3, "F8_E4M3", 1, true}, {DType::F8_E5M2, "F8_E5M2", 1, true},
    {DType::I64, "I64", 8, false},        {DType::I32, "I32", 4, false},
    {DType::I16, "I16", 2, false},        {DType::I8, "I8", 1, false},
    {DType::U8, "U8", 1, false},          {DType::BOOL, "BOOL", 1, false},
};

const DTypeInfo& info(DType t) {
    for (const auto& i : kInfo)
        if (i.type == t) return i;
    fail("internal: unknown dtype code {}", int(t));
}

// Rounds a finite float to the nearest value of a small float format with `exp_bits`
// exponent bits, `man_bits` mantissa bits and IEEE-style bias; returns the magnitude bits.
// Round to nearest even, subnormals included. Overflow handling is left to the caller.
uint32_t round_small_float_magnitude(float a, int exp_bits, int man_bits, bool& overflow, uint32_t max_bits) {
    const int bias = (1 << (exp_bits - 1)) - 1;
    overflow = false;
    if (a == 0.0f) return 0;
    int e;
    std::frexp(a, &e);  // a = m * 2^e with m in [0.5, 1)
    int exponent = e - 1;         // a = (2m) * 2^exponent, 2m in [1, 2)
    int min_normal_exp = 1 - bias;
    // Quantum of the target grid at this magnitude.
    int quantum_exp = (exponent < min_normal_exp ? min_normal_exp : exponent) - man_bits;
    double scaled = std::ldexp(double(a), -quantum_exp);  // exact: a has 24 bits
    double r = std::nearbyint(scaled);                   // default rounding mode: to even
    uint64_t q = uint64_t(r);
    // q * 2^quantum_exp is the rounded value. Encode it.
    uint32_t bits;
    if (exponent < min_normal_exp) {
        // subnormal (may round up into the smallest normal, which the encoding handles)
        bits = uint32_t(q);
    } else {
        if (q >= (uint64_t(2) << man_bits)) {  // rounded up to the next binade
            q >>= 1;
            exponent += 1;
        }
        bits = (uint32_t(exponent + bias) << man_bits) | uint32_t(q & ((1u << man_bits) - 1));
    }
    if (bits > max_bits) overflow = true;
    return bits;
}
}  // namespace

size_t dtype_size(DType t) { return info(t).size; }
std::string_view dtype_name(DType t) { return info(t).name; }
bool dtype_is_float(DType t) { return info(t).is_float; }

bool dtype_from_name(std::string_view name, DType& out) {
    for (const auto& i : kInfo)
        if (i.name == name) {
            out = i.type;
            return true;
        }
    return false;
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    float f;
    if (exp == 0) {
        f = std::ldexp(float(man), -24);
    } else if (exp == 31) {
        f = man ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    } else {
        f = std::ldexp(float(man | 0x400), int(exp) - 25);
    }
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits |= sign;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_f16(float f) {
    uint16_t sign = std::signbit(f) ? 0x8000 : 0;
    if (std::isnan(f)) return sign | 0x7e00;
    float a = std::fabs(f);
    if (std::isinf(a)) return sign | 0x7c00;
    bool overflow;
    uint32_t bits = round_small_float_magnitude(a, 5, 10, overflow, 0x7bff);
    if (overflow) return sign | 0x7c00;
    return uint16_t(sign | bits);
}

float fp8_e4m3_to_f32(uint8_t v) {
    float sign = (v & 0x80) ? -1.0f : 1.0f;
    uint32_t exp = (v >> 3) & 0xf;
    uint32_t man = v & 0x7;
    if (exp == 0xf && man == 0x7) return std::numeric_limits<float>::quiet_NaN();
    if (exp == 0) return sign * std::ldexp(float(man), -9);
    return sign * std::ldexp(float(man | 0x8), int(exp) - 10);
}

uint8_t f32_to_fp8_e4m3(float f) {
    uint8_t sign = std::signbit(f) ? 0x80 : 0;
    if (std::isnan(f)) return sign | 0x7f;
    float a = std::fabs(f);
    // torch (c10) does not saturate: |x| >= 480 is NaN, and |x| in (464, 480) rounds up
    // into the NaN code 0x7f too; 464 itself is a tie and goes to the even 448.
    if (a >= 480.0f) return sign | 0x7f;
    bool overflow;
    uint32_t bits = round_small_float_magnitude(a, 4, 3, overflow, 0x7e);
    if (overflow) return sign | 0x7f;
    return uint8_t(sign | bits);
}

float fp8_e5m2_to_f32(uint8_t v) { return f16_to_f32(uint16_t(v) << 8); }

uint8_t f32_to_fp8_e5m2(float f) {
    uint8_t sign = std::signbit(f) ? 0x80 : 0;
    if (std::isnan(f)) return sign | 0x7f;
    float a = std::fabs(f);
    if (std::isinf(a)) return sign | 0x7c;
    bool overflow;
    uint32_t bits = round_small_float_magnitude(a, 5, 2, overflow, 0x7b);
    if (overflow) return sign | 0x7c;
    return uint8_t(sign | bits);
}

namespace {
// Element i of a buffer that need not be aligned for T.
template <class T>
T load(const void* p, size_t i) {
    T v;
    std::memcpy(&v, static_cast<const std::byte*>(p) + i * sizeof(T), sizeof(T));
    return v;
}

template <class T>
void store(void* p, size_t i, T v) {
    std::memcpy(static_cast<std::byte*>(p) + i * sizeof(T), &v, sizeof(T));
}

double load_as_double(const void* p, DType t, size_t i) {
    switch (t) {
        case DType::F32: return load<float>(p, i);
        case DType::F64: return load<double>(p, i);
        case DType::BF16: return bf16_to_f32(load<uint16_t>(p, i));
        case DType::F16: return f16_to_f32(load<uint16_t>(p, i));
        case DType::F8_E4M3: return fp8_e4m3_to_f32(load<uint8_t>(p, i));
        case DType::F8_E5M2: return fp8_e5m2_to_f32(load<uint8_t>(p, i));
        case DType::I64: return double(load<int64_t>(p, i));
        case DType::I32: return load<int32_t>(p, i);
        case DType::I16: return load<int16_t>(p, i);
        case DType::I8: return load<int8_t>(p, i);
        case DType::U8: return load<uint8_t>(p, i);
        case DType::BOOL: return load<uint8_t>(p, i) ? 1.0 : 0.0;
    }
    return 0;
}

void store_from_double(void* p, DType t, size_t i, double v) {
    switch (t) {
        case DType::F32: store<float>(p, i, float(v)); break;
        case DType::F64: store<double>(p, i, v); break;
        case DType::BF16: store<uint16_t>(p, i, f32_to_bf16(float(v))); break;
        case DType::F16: store<uint16_t>(p, i, f32_to_f16(float(v))); break;
        case DType::F8_E4M3: store<uint8_t>(p, i, f32_to_fp8_e4m3(float(v))); break;
        case DType::F8_E5M2: store<uint8_t>(p, i, f32_to_fp8_e5m2(float(v))); break;
        case DType::I64: store<int64_t>(p, i, int64_t(v)); break;
        case DType::I32: store<int32_t>(p, i, int32_t(v)); break;
        case DType::I16: store<int16_t>(p, i, int16_t(v)); break;
        case DType::I8: store<int8_t>(p, i, int8_t(v)); break;
        case DType::U8: store<uint8_t>(p, i, uint8_t(v)); break;
        case DType::BOOL: store<uint8_t>(p, i, v != 0.0); break;
    }
}
}  // namespace

void convert(const void* src, DType src_type, void* dst, DType dst_type, size_t n) {
    if (src_type == dst_type) {
        std::memcpy(dst, src, n * dtype_size(src_type));
        return;
    }
    // Fast paths for the conversions on the hot path.
    if (src_type == DType::BF16 && dst_type == DType::F32) {
        for (size_t i = 0; i < n; ++i) store<float>(dst, i, bf16_to_f32(load<uint16_t>(src, i)));
        return;
    }
    if (src_type == DType::F32 && dst_type == DType::BF16) {
        for (size_t i = 0; i < n; ++i) store<uint16_t>(dst, i, f32_to_bf16(load<float>(src, i)));
        return;
    }
    if (src_type == DType::I64 && dst_type == DType::I32) {
        for (size_t i = 0; i < n; ++i) store<int32_t>(dst, i, int32_t(load<int64_t>(src, i)));
        return;
    }
    for (size_t i = 0; i < n; ++i) store_from_double(dst, dst_type, i, load_as_double(src, src_type, i));
}

}  // namespace ltx2
