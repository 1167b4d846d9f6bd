#include "ops/masks.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor key_bias_from_mask(const Tensor& mask) { return call_backend(mask.device())->key_bias_from_mask(mask); }
Tensor log_weight_bias(const Tensor& weights) { return call_backend(weights.device())->log_weight_bias(weights); }
std::vector<int64_t> equal_row_runs(const Tensor& bias) { return call_backend(bias.device())->equal_row_runs(bias); }

}  // namespace ltx2
