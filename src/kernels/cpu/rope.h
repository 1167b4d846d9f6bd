#pragma once
// Rotary position embeddings as LTX-2 builds them from [start, end) position bounds.
#include <vector>

#include "ops/op_params.h"

namespace ltx2::cpu {




// Frequency ladder g[j], j < dim / (2·n_axes).
std::vector<float> rope_frequency_grid(const RopeSpec& spec, int n_axes);
// Angles before padding, [B, T, n_freq·n_axes] (axis fastest). positions [B, n_axes, T, 2]
// F32 or BF16; with BF16 positions the midpoint / ÷max_pos / ×2−1 steps round to bf16 as
// the bf16 pipeline does.
Tensor rope_angles(const Tensor& positions, const RopeSpec& spec);
RopeTable rope_table(const Tensor& positions, const RopeSpec& spec);
// Rotates q or k rows [B, T, dim] in place.
void rope_apply_inplace(Tensor& x, const RopeTable& table);

}  // namespace ltx2::cpu
