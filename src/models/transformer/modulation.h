#pragma once
// AdaLN modulation values: a learned table row plus the timestep-dependent modulation.
#include <functional>

#include "core/tensor.h"

namespace ltx2 {

// table[row] + mod[..., chunk·D : (chunk+1)·D] as a new [B, Tt, D] F32 tensor.
// table [rows, D] F32 or BF16; mod [B, Tt, n·D] F32.
Tensor ada_value(const Tensor& table, int row, const Tensor& mod, int chunk);

// x += y·gate for the batch samples where keep(b) holds (all of them by default); a skipped
// sample's x is left unchanged, as the reference's multiply-by-zero mask leaves it.
void add_gated_where(Tensor& x, const Tensor& y, const Tensor& gate, const std::function<bool(int)>& keep = {});

}  // namespace ltx2
