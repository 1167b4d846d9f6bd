#pragma once
// y = W·x for one activation row and a weight stored as ggml rows (any type dequantize_row
// reads: F32, F16, BF16, the legacy and K quants): each weight row is decoded into a small
// per-thread buffer and dotted with x at once, so the weights are read once and never written
// out. This is what decoding one token at a time wants: decoding whole matrices first would
// write (and read back) several times the bytes the blocks hold.
#include <cstddef>
#include <cstdint>

#include "core/ggml_types.h"

namespace ltx2::cpu {

// rows: n_rows rows of k values each (ggml_row_bytes(type, k) bytes apart); x: k floats; y:
// n_rows floats. Float32 throughout, from the values the blocks decode to (bitwise ggml's
// to_float): rounding them to bf16 as a decoded layer is would only cost time and accuracy.
void ggml_matvec(GgmlType type, const std::byte* rows, int64_t n_rows, int64_t k, const float* x, float* y);

}  // namespace ltx2::cpu
