#pragma once
// Encoding float32 rows as ggml blocks (Q8_0, Q4_K, Q5_K, Q6_K): the math of ggml's reference
// quantizers (quantize_row_*_ref, what ggml_quantize_chunk does without an importance matrix),
// so the blocks are those ggml writes and any GGUF reader, ours included, decodes them.
#include <cstdint>

#include "core/ggml_types.h"

namespace ltx2::cpu {

// Whether quantize_row can produce `type`.
bool quantize_supported(GgmlType type);

// n values (a multiple of the type's block size) from x into ggml_row_bytes(type, n) bytes of
// blocks; single-threaded. Values must be finite; a scale beyond float16's range saturates to inf
// (as in ggml). Throws for an unsupported type or a row that is not a whole number of blocks.
void quantize_row(GgmlType type, const float* x, void* blocks, int64_t n);

// Whole tensors (rows back to back): quantize_row, parallel over block ranges for large n.
void quantize(GgmlType type, const float* x, void* blocks, int64_t n);

namespace quant {
// One-block encoders (quantize.cpp, quantize_k.cpp): block_elems values to block_bytes bytes.
void encode_q8_0(const float* x, uint8_t* block);
void encode_q4_k(const float* x, uint8_t* block);
void encode_q5_k(const float* x, uint8_t* block);
void encode_q6_k(const float* x, uint8_t* block);
}  // namespace quant

}  // namespace ltx2::cpu
