#pragma once
// The weight ops of ops/weights.h on the CPU: ggml blocks and float8 decoded by dequant.h / fp8.h,
// ggml matrices multiplied in place by ggml_matvec.h.
#include <span>

#include "core/ggml_tensor.h"

namespace ltx2::cpu {

void decode_ggml_into(GgmlType type, const Tensor& blocks, Tensor& out);
Tensor decode_ggml_rows(const GgmlTensor& table, std::span<const int64_t> ids);
Tensor gather_rows(const Tensor& table, std::span<const int64_t> ids);
Tensor ggml_matvec(const GgmlTensor& w, const Tensor& x);
void decode_fp8_into(const Tensor& w, float scale, Tensor& out);

}  // namespace ltx2::cpu
