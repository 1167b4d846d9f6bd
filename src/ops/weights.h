#pragma once
// Weights a file stores in a form that is not a compute dtype: ggml blocks (GGUF) and float8 with
// a per-tensor scale. Decoding is an op, so a backend may keep such weights encoded.
#include <span>

#include "core/ggml_tensor.h"

namespace ltx2 {

// Decodes the blocks (U8, contiguous, holding out.numel() values of `type`) into out, F32
// (bitwise ggml's to_float) or BF16 (those values rounded to nearest even), contiguous.
void decode_ggml_into(GgmlType type, const Tensor& blocks, Tensor& out);
// Rows `ids` of the table, decoded: F32 [ids.size(), table.cols]. Ids must be in [0, rows).
Tensor decode_ggml_rows(const GgmlTensor& table, std::span<const int64_t> ids);
// Rows `ids` of a dense F32/BF16/F16 table [rows, cols], as F32 [ids.size(), cols].
Tensor gather_rows(const Tensor& table, std::span<const int64_t> ids);
// y = W·x for one activation row x (F32, w.cols values) with W read in place, in float32 from
// the values the blocks decode to. F32 [w.rows()].
Tensor ggml_matvec(const GgmlTensor& w, const Tensor& x);
// out = bf16(float(w) · scale) for float8 weights (F8_E4M3 / F8_E5M2) into BF16 out of as many values.
void decode_fp8_into(const Tensor& w, float scale, Tensor& out);

}  // namespace ltx2
