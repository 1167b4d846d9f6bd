#pragma once
// Walking the rows (all dimensions but the last) of strided and broadcast F32 operands.
#include <cstdint>

#include "core/error.h"
#include "core/tensor.h"

namespace ltx2::cpu {

// Element offset in t of row r of `shape` (rows numbered row-major over all dimensions but the
// last). t has shape's rank, each dimension shape's or 1; a dimension of 1 is broadcast.
inline int64_t row_offset(const Tensor& t, const Shape& shape, int64_t r) {
    int64_t offset = 0;
    for (int d = int(shape.size()) - 2; d >= 0; --d) {
        const int64_t i = r % shape[size_t(d)];
        r /= shape[size_t(d)];
        if (t.size(d) != 1) offset += i * t.stride(d);
    }
    return offset;
}

// Whether t (rank of shape, each dimension shape's or 1) broadcasts to shape.
inline bool broadcasts_to(const Tensor& t, const Shape& shape) {
    if (t.dim() != int(shape.size())) return false;
    for (int d = 0; d < t.dim(); ++d)
        if (t.size(d) != 1 && t.size(d) != shape[size_t(d)]) return false;
    return true;
}

// Checks that t is an F32 view whose rows are contiguous (last stride 1), as the ops that write
// through views require; `op` names the op in the error.
inline void check_row_view(const Tensor& t, const char* op, const char* name) {
    LTX2_CHECK(t.defined() && t.dtype() == DType::F32 && t.dim() >= 1 && (t.stride(-1) == 1 || t.size(-1) == 1),
               "{}: {} must be an F32 view with contiguous rows, got {} {}", op, name,
               t.defined() ? dtype_name(t.dtype()) : "undefined", t.defined() ? shape_str(t.shape()) : "");
    LTX2_CHECK(t.storage()->writable(), "{}: {} is read-only", op, name);
}

}  // namespace ltx2::cpu
