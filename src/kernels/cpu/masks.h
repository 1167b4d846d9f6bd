#pragma once
// Masks as additive attention biases (ops/masks.h).
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace ltx2::cpu {

Tensor key_bias_from_mask(const Tensor& mask);
Tensor log_weight_bias(const Tensor& weights);
std::vector<int64_t> equal_row_runs(const Tensor& bias);

}  // namespace ltx2::cpu
