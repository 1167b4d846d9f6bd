#pragma once
// The normalised, interleaved features of LTX's text feature extractors, built from the L+1
// Gemma hidden states x_l [V, D] of the real tokens (n = L+1 tensors of one shape, F32 or BF16,
// contiguous). With `bf16` (production), every F32 state value is rounded to bf16 as it is
// read, and the intermediate values named below come back as bf16, as in the reference's bf16
// tensors. Features land in `features` [V, ≥ (d1 − d0)·n] (F32 or BF16): channel d ∈ [d0, d1)
// of state l at column (d − d0)·n + l of row v; other columns are left as they are.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// V1 statistics per state → F32 [n, 2]: mean_l = float32(Σ_{v,d} x_l[v, d], summed in double)
// / float32(V·D + eps), and range_eps_l = (max − min) + eps (bf16: the sum, the range and
// range_eps rounded to bf16).
Tensor state_mean_range(const std::vector<Tensor>& states, float eps, bool bf16);
// V1 features: (scale·(x_l[v, d] − mean_l)) / range_eps_l, with `stats` from state_mean_range
// (bf16: the feature rounded to bf16).
void range_normalized_features(const std::vector<Tensor>& states, const Tensor& stats, float scale, bool bf16,
                               int64_t d0, int64_t d1, Tensor& features);
// V2 per row and state → F32 [V, n]: r[v, l] = 1 / sqrt(mean_d(x_l[v, d]²) + eps), squares
// summed in double (bf16: x², the mean, the sum with eps and the result each rounded to bf16).
Tensor state_inverse_rms(const std::vector<Tensor>& states, float eps, bool bf16);
// V2 features: (x_l[v, d] · r[v, l]) · scale, r from state_inverse_rms (bf16: the normalised
// value rounded before the rescale, and the feature after it).
void rms_normalized_features(const std::vector<Tensor>& states, const Tensor& r, float scale, bool bf16, int64_t d0,
                             int64_t d1, Tensor& features);

}  // namespace ltx2
