#pragma once
// What both text feature extractors share: the L+1 Gemma hidden states of the real tokens,
// checked against each other and the projection, and the projection of their interleaved
// features (feature d·(L+1) + l) built and multiplied a slice of channels at a time, so that the
// full [V, D·(L+1)] matrix (188160 wide for Gemma 3 12B) never exists.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

struct StackedStates {
    std::vector<Tensor> x;  // L+1 contiguous [V, D], F32 or BF16
    int64_t V = 0, D = 0;
    int64_t count() const { return int64_t(x.size()); }
};

// Fails unless the states are L+1 ≥ 1 tensors [V, D] of one shape whose D·(L+1) equals the
// `in_features` of the projection `weight_name` (named in the message).
StackedStates checked_states(const std::vector<Tensor>& states, int64_t in_features, const std::string& weight_name);

// Writes the features of channels [d0, d1) of every real row into `features` [V, ≥ (d1−d0)·(L+1)]
// (F32 or BF16, the dtype of the weight), feature (d − d0)·(L+1) + l of row v.
using FeatureSliceFill = std::function<void(int64_t d0, int64_t d1, Tensor& features)>;

// features · weightᵀ → [V, N] F32 (no bias), weight [N, D·(L+1)]. `slice_features` features per
// slice (rounded down to whole channels, at least one); 0 = automatic.
Tensor project_in_slices(const StackedStates& s, const Tensor& weight, int64_t slice_features,
                         const FeatureSliceFill& fill);

}  // namespace ltx2
