#include "kernels/cpu/weight_decoding.h"

#include "core/error.h"
#include "kernels/cpu/dequant.h"
#include "kernels/cpu/fp8.h"
#include "kernels/cpu/ggml_matvec.h"

namespace ltx2::cpu {

namespace {

void check_ids(std::span<const int64_t> ids, int64_t rows, const char* what) {
    for (size_t i = 0; i < ids.size(); ++i)
        LTX2_CHECK(ids[i] >= 0 && ids[i] < rows, "{}: row id {} (entry {}) is outside [0, {})", what, ids[i], i, rows);
}

void check_blocks(const GgmlTensor& w, const char* what) {
    LTX2_CHECK(w.blocks.dtype() == DType::U8 && w.blocks.dim() == 2 && w.blocks.stride(1) == 1 &&
                   w.blocks.size(1) == int64_t(ggml_row_bytes(w.type, w.cols)),
               "{}: expected U8 [rows, {}] blocks of {} rows of {} values, got {} {}", what,
               ggml_row_bytes(w.type, w.cols), ggml_type_name(w.type), w.cols, dtype_name(w.blocks.dtype()),
               shape_str(w.blocks.shape()));
}

const std::byte* row_bytes(const GgmlTensor& w, int64_t row) {
    return static_cast<const std::byte*>(w.blocks.raw()) + row * w.blocks.stride(0);
}

}  // namespace

void decode_ggml_into(GgmlType type, const Tensor& blocks, Tensor& out) {
    LTX2_CHECK(blocks.dtype() == DType::U8 && blocks.is_contiguous(), "ggml decoding: blocks must be contiguous U8");
    LTX2_CHECK(size_t(blocks.numel()) == ggml_row_bytes(type, out.numel()),
               "ggml decoding: {} bytes of {} blocks for {} values (expected {} bytes)", blocks.numel(),
               ggml_type_name(type), out.numel(), ggml_row_bytes(type, out.numel()));
    if (out.dtype() == DType::F32) dequantize(type, blocks.raw(), out.f32(), out.numel());
    else if (out.dtype() == DType::BF16) dequantize_bf16(type, blocks.raw(), out.bf16(), out.numel());
    else fail("ggml decoding: the output must be F32 or BF16, not {}", dtype_name(out.dtype()));
}

Tensor decode_ggml_rows(const GgmlTensor& table, std::span<const int64_t> ids) {
    check_blocks(table, "ggml row lookup");
    check_ids(ids, table.rows(), "ggml row lookup");
    Tensor out = Tensor::empty({int64_t(ids.size()), table.cols});
    float* dst = out.f32();
    for (size_t i = 0; i < ids.size(); ++i)
        dequantize_row(table.type, row_bytes(table, ids[i]), dst + int64_t(i) * table.cols, table.cols);
    return out;
}

Tensor gather_rows(const Tensor& table, std::span<const int64_t> ids) {
    LTX2_CHECK(table.dim() == 2, "row lookup: expected a 2-D table, got {}", shape_str(table.shape()));
    check_ids(ids, table.size(0), "row lookup");
    const int64_t cols = table.size(1);
    Tensor out = Tensor::empty({int64_t(ids.size()), cols});
    for (size_t i = 0; i < ids.size(); ++i) out.select(0, int64_t(i)).copy_from(table.select(0, ids[i]));
    return out;
}

Tensor ggml_matvec(const GgmlTensor& w, const Tensor& x_in) {
    check_blocks(w, "ggml matvec");
    LTX2_CHECK(x_in.numel() == w.cols, "ggml matvec: the matrix takes {} values, got {} {}", w.cols,
               shape_str(x_in.shape()), x_in.numel());
    const Tensor x = x_in.to(DType::F32);
    Tensor y = Tensor::empty({w.rows()});
    ggml_matvec(w.type, row_bytes(w, 0), w.rows(), w.cols, x.f32(), y.f32());
    return y;
}

void decode_fp8_into(const Tensor& w, float scale, Tensor& out) {
    LTX2_CHECK((w.dtype() == DType::F8_E4M3 || w.dtype() == DType::F8_E5M2) && w.is_contiguous(),
               "float8 decoding: expected contiguous F8_E4M3 or F8_E5M2 weights, got {}", dtype_name(w.dtype()));
    LTX2_CHECK(out.numel() == w.numel(), "float8 decoding: {} values into {}", w.numel(), out.numel());
    fp8_to_bf16_scaled(w.dtype(), static_cast<const uint8_t*>(w.raw()), scale, out.bf16(), size_t(w.numel()));
}

}  // namespace ltx2::cpu
