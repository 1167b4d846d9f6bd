#pragma once
// Attention masks turned into additive score biases, and the block structure of a bias.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// An integer / bool mask m (1 keep, 0 drop) → (m − 1)·FLT_MAX; a float mask is already a bias
// and comes back as its F32 copy. Any shape → F32 of the same shape.
Tensor key_bias_from_mask(const Tensor& mask);
// Attention weights m in [0, 1] → ln(max(m, FLT_MIN)) where m > 0, −FLT_MAX where m ≤ 0 (the
// key is masked). Any dtype and shape → F32 of the same shape.
Tensor log_weight_bias(const Tensor& weights);
// bias F32 [B, Tq, Tk]: the ends of the maximal runs of consecutive query rows i whose bias rows
// bias[b, i, :] are bitwise equal in every sample b (ascending, the last one Tq). Read back to
// the host: the caller splits its work at these rows.
std::vector<int64_t> equal_row_runs(const Tensor& bias);

}  // namespace ltx2
