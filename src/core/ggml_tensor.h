#pragma once
// A matrix stored as ggml blocks (a GGUF tensor of a block type), left encoded: only a backend's
// weight ops (ops/weights.h) read its values.
#include <cstdint>

#include "core/ggml_types.h"
#include "core/tensor.h"

namespace ltx2 {

struct GgmlTensor {
    GgmlType type = GgmlType::F32;
    int64_t cols = 0;  // values per row (a whole number of blocks)
    Tensor blocks;     // U8 [rows, ggml_row_bytes(type, cols)]: the rows as the file stores them
    int64_t rows() const { return blocks.defined() ? blocks.size(0) : 0; }
};

}  // namespace ltx2
