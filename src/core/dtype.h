#pragma once
// Element types the engine stores, and scalar conversions between them and float32.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ltx2 {

enum class DType : uint8_t { F32, F64, BF16, F16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U8, BOOL };

size_t dtype_size(DType t);
std::string_view dtype_name(DType t);  // safetensors spelling: "F32", "BF16", "F8_E4M3", ...
// Parses the safetensors spelling; returns false for an unknown name.
bool dtype_from_name(std::string_view name, DType& out);
bool dtype_is_float(DType t);

inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Round to nearest even, NaN kept quiet (torch's rounding).
inline uint16_t f32_to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 0x40);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return uint16_t(bits >> 16);
}

inline float round_to_bf16(float f) { return bf16_to_f32(f32_to_bf16(f)); }

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float fp8_e4m3_to_f32(uint8_t v);  // float8_e4m3fn: no infinities, 0x7f/0xff are NaN
uint8_t f32_to_fp8_e4m3(float f);  // round-to-nearest-even; |x| > 464 gives NaN, as torch casts
float fp8_e5m2_to_f32(uint8_t v);
uint8_t f32_to_fp8_e5m2(float f);

// Converts n elements between any two float or integer types (through float/double).
void convert(const void* src, DType src_type, void* dst, DType dst_type, size_t n);

}  // namespace ltx2
