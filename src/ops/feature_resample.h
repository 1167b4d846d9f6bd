#pragma once
// Fixed-kernel resampling of the last two dimensions of feature maps: the audio VAE's nearest
// 2x upsampling and the latent upsampler's anti-aliasing blur downsample.
#include "core/tensor.h"

namespace ltx2 {

// y[..., i, j] = x[..., i / 2, j / 2]: x F32 [..., T, F] (any strides) -> [..., 2T, 2F].
Tensor upsample_nearest_2x(const Tensor& x);

// Every plane of x (all dimensions but the last two) convolved with kernel [1, 1, k, k] (k odd),
// zero padding k / 2, stride `stride`: y[..., i, j] = Σ_{u,v} x[..., i·s + u − k/2, j·s + v − k/2] ·
// kernel[u, v] over the taps inside x, summed in F32 row by row. x F32 [..., H, W] (any strides)
// -> [..., (H + 2·(k/2) − k) / s + 1, (W + 2·(k/2) − k) / s + 1].
Tensor blur_downsample_2d(const Tensor& x, const Tensor& kernel, int stride);

}  // namespace ltx2
