#pragma once
// Decoding ggml blocks (F32, F16, BF16, Q4_0 ... Q8_0, K-quants, IQ4_NL/XS) to float32 or bf16.
// The float32 result is bitwise what ggml's to_float gives: same fp16 scale conversion and the
// same float expression order (e.g. (d·sc)·q − dmin·m, each product rounded on its own).
#include <cstdint>

#include "core/ggml_types.h"

namespace ltx2::cpu {

// n values (a multiple of the type's block size) from `blocks` into `out`; single-threaded.
void dequantize_row(GgmlType type, const void* blocks, float* out, int64_t n);
// The plain scalar decoders (what the SIMD paths of dequantize_row must equal bit for bit).
void dequantize_row_reference(GgmlType type, const void* blocks, float* out, int64_t n);
// Same, each value then rounded to bf16 by f32_to_bf16_array (nearest even; float32 subnormals,
// which only F32 data can hold, may flush to zero); BF16 data is copied unchanged.
void dequantize_row_bf16(GgmlType type, const void* blocks, uint16_t* out, int64_t n);

// Whole tensors (rows back to back): the row functions, parallel over block ranges for large n.
void dequantize(GgmlType type, const void* blocks, float* out, int64_t n);
void dequantize_bf16(GgmlType type, const void* blocks, uint16_t* out, int64_t n);

}  // namespace ltx2::cpu
