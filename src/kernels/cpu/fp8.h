#pragma once
// Decoding float8 weights (e4m3fn / e5m2, as torch stores them) with a per-tensor scale:
// out = bf16(float(w) · scale), the value the reference's fp8 layers compute with.
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace ltx2::cpu {

// type: DType::F8_E4M3 or DType::F8_E5M2. Parallel over large arrays.
void fp8_to_bf16_scaled(DType type, const uint8_t* src, float scale, uint16_t* dst, size_t n);

}  // namespace ltx2::cpu
