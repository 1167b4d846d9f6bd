#pragma once
// Token positions on the CPU (ops/positions.h).
#include <array>

#include "core/tensor.h"

namespace ltx2::cpu {

Tensor latent_to_pixel_coords(const Tensor& bounds, const std::array<int64_t, 3>& scale, bool causal_fix);
Tensor pixel_coords_to_positions(const Tensor& coords, int64_t time_offset, float fps, int64_t spatial_factor);
Tensor time_window_mask(const Tensor& positions, float start, float end, int64_t per_token);

}  // namespace ltx2::cpu
