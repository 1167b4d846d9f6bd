#pragma once
// The positions of latent tokens: grid bounds [B, 3, N, 2] ([start, end) per axis: time, height,
// width) turned into pixel coordinates and the float32 positions the transformer's RoPE reads.
#include <array>

#include "core/tensor.h"

namespace ltx2 {

// I64 bounds × scale[axis]; with causal_fix the time axis becomes max(t·scale[0] + 1 − scale[0], 0)
// (the causal VAE's first latent frame covers one pixel frame). I64 [B, 3, N, 2] in and out.
Tensor latent_to_pixel_coords(const Tensor& bounds, const std::array<int64_t, 3>& scale, bool causal_fix);

// F32 positions of I64 pixel coordinates [B, 3, N, 2]: time float32(t + time_offset) / fps;
// height and width float32(c) · spatial_factor (unchanged when the factor is 1).
Tensor pixel_coords_to_positions(const Tensor& coords, int64_t time_offset, float fps, int64_t spatial_factor);

// F32 [B, N, per_token]: 1 where token n's time span [t0, t1) (positions [B, axes, N, 2], axis 0,
// any float dtype) overlaps (start, end), i.e. t1 > start and t0 < end; else 0.
Tensor time_window_mask(const Tensor& positions, float start, float end, int64_t per_token);

}  // namespace ltx2
