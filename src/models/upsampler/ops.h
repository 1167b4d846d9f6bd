#pragma once
// Small operations of the latent upsampler (float32, contiguous results): N-D pixel shuffle and
// the anti-aliasing blur downsample (its GroupNorm is ops/group_norm.h).
#include "core/tensor.h"

namespace ltx2 {

// [B, C·pf·ph·pw, F, H, W] → [B, C, F·pf, H·ph, W·pw]: input channel
// c·pf·ph·pw + i·ph·pw + j·pw + k goes to output channel c at (f·pf + i, h·ph + j, w·pw + k).
Tensor pixel_shuffle_3d(const Tensor& x, int pf, int ph, int pw);

// The normalised binomial kernel: outer product of row kernel_size − 1 of Pascal's triangle
// with itself, divided by its sum; [1, 1, k, k] F32. kernel_size odd, ≥ 3.
Tensor binomial_blur_kernel(int kernel_size);

// Depthwise 2-D convolution of every channel (and every frame) with `kernel` [1, 1, k, k]
// (k odd), zero padding k / 2, stride `stride`. x [N, C, H, W] or [B, C, F, H, W] (any float
// dtype); stride 1 returns x unchanged (as the reference does). Output H' = (H + 2·(k/2) − k) / s + 1.
Tensor blur_downsample(const Tensor& x, int stride, const Tensor& kernel);

}  // namespace ltx2
