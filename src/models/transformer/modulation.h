#pragma once
// AdaLN modulation values: a learned table row plus the timestep-dependent modulation. An AdaLN
// value is an AdaValue{table, row, mod, chunk} (ops/op_params.h): table[row] + mod[..., chunk·D :
// (chunk+1)·D], which modulate_inplace and add_gated_inplace (ops/elementwise.h) sum as they go.
#include <functional>

#include "core/tensor.h"
#include "ops/op_params.h"

namespace ltx2 {

// x += y·gate for the batch samples where keep(b) holds (all of them by default); a skipped
// sample's x is left unchanged, as the reference's multiply-by-zero mask leaves it.
void add_gated_where(Tensor& x, const Tensor& y, const AdaValue& gate, const std::function<bool(int)>& keep = {});

}  // namespace ltx2
