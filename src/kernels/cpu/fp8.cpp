#include "kernels/cpu/fp8.h"

#include <array>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

std::array<float, 256> decode_table(DType type) {
    std::array<float, 256> table{};
    for (int i = 0; i < 256; ++i)
        table[size_t(i)] = type == DType::F8_E4M3 ? fp8_e4m3_to_f32(uint8_t(i)) : fp8_e5m2_to_f32(uint8_t(i));
    return table;
}

}  // namespace

void fp8_to_bf16_scaled(DType type, const uint8_t* src, float scale, uint16_t* dst, size_t n) {
    LTX2_CHECK(type == DType::F8_E4M3 || type == DType::F8_E5M2, "fp8 decode: {} is not a float8 dtype",
               dtype_name(type));
    static const std::array<float, 256> e4m3 = decode_table(DType::F8_E4M3);
    static const std::array<float, 256> e5m2 = decode_table(DType::F8_E5M2);
    std::array<float, 256> scaled;
    const std::array<float, 256>& table = type == DType::F8_E4M3 ? e4m3 : e5m2;
    for (size_t i = 0; i < 256; ++i) scaled[i] = table[i] * scale;
    std::array<uint16_t, 256> bf16;
    for (size_t i = 0; i < 256; ++i) bf16[i] = f32_to_bf16(scaled[i]);
    const int64_t count = int64_t(n);
#pragma omp parallel for schedule(static) if (count > (int64_t(1) << 20))
    for (int64_t i = 0; i < count; ++i) dst[i] = bf16[src[i]];
}

}  // namespace ltx2::cpu
