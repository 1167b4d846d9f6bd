#pragma once
// Row ops on token tensors [B, T, D] (ops/rows.h).
#include "core/tensor.h"

namespace ltx2::cpu {

Tensor add_row(const Tensor& x, const Tensor& row);
void add_row_where_inplace(Tensor& x, const Tensor& row, const Tensor& mask);
void apply_head_gates_inplace(Tensor& x, Tensor& logits);
Tensor denoised_from_velocity(const Tensor& latent, const Tensor& velocity, const Tensor& sigma);

}  // namespace ltx2::cpu
