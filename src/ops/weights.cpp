#include "ops/weights.h"

#include "ops/backend.h"

namespace ltx2 {

void decode_ggml_into(GgmlType type, const Tensor& blocks, Tensor& out) {
    call_backend("ggml decoding", {&blocks, &out})->decode_ggml_into(type, blocks, out);
}

Tensor decode_ggml_rows(const GgmlTensor& table, std::span<const int64_t> ids) {
    return call_backend(table.blocks.device())->decode_ggml_rows(table, ids);
}

Tensor gather_rows(const Tensor& table, std::span<const int64_t> ids) {
    return call_backend(table.device())->gather_rows(table, ids);
}

Tensor ggml_matvec(const GgmlTensor& w, const Tensor& x) {
    return call_backend("ggml matvec", {&w.blocks, &x})->ggml_matvec(w, x);
}

void decode_fp8_into(const Tensor& w, float scale, Tensor& out) {
    call_backend("float8 decoding", {&w, &out})->decode_fp8_into(w, scale, out);
}

}  // namespace ltx2
