#pragma once
// Token masks of LTX's left-padded prompts: padding rows first (mask 0), real tokens last (mask 1).
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace ltx2 {

// The number of real rows V of a left-padded mask [T] or [1, T] (any numeric dtype, values 0/1):
// the mask must read 0…0 1…1. `what` names the mask in errors.
int64_t left_padded_real_rows(const Tensor& mask, const std::string& what);

// The reference's left-padded layout of per-row values: [1, T, W] with `padding_row` [W] in the
// first T − V rows, then `rows` [V, W] F32.
Tensor left_padded_rows(const Tensor& rows, const Tensor& padding_row, int64_t T);

}  // namespace ltx2
