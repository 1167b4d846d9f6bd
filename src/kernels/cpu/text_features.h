#pragma once
// The text feature extractors' normalised, interleaved features (ops/text_features.h).
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace ltx2::cpu {

Tensor state_mean_range(const std::vector<Tensor>& states, float eps, bool bf16);
void range_normalized_features(const std::vector<Tensor>& states, const Tensor& stats, float scale, bool bf16,
                               int64_t d0, int64_t d1, Tensor& features);
Tensor state_inverse_rms(const std::vector<Tensor>& states, float eps, bool bf16);
void rms_normalized_features(const std::vector<Tensor>& states, const Tensor& r, float scale, bool bf16, int64_t d0,
                             int64_t d1, Tensor& features);

}  // namespace ltx2::cpu
