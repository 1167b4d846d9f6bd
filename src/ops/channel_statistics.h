#pragma once
// Per-channel affine maps of VAE feature maps: the latent statistics that (de)normalise a VAE
// latent, and the timestep modulation of the video VAE's conditioned blocks.
#include "core/tensor.h"
#include "ops/vae_params.h"

namespace ltx2 {

// Denormalize: y = x · std + mean; Normalize: y = (x − mean) / std, elementwise with std and
// mean broadcast against x. x F32 of any shape and strides; std, mean F32 of x's rank, each
// dimension 1 or x's (e.g. [1, C, 1, 1, 1] per channel of [B, C, F, H, W], [1, C, 1, F] per
// (channel, bin) of [B, C, T, F]). y is a new contiguous F32 tensor of x's shape.
Tensor apply_channel_statistics(const Tensor& x, const Tensor& std, const Tensor& mean,
                                StatisticsDirection direction);

// x[b, c, ...] = x[b, c, ...] · (1 + scale[b, c]) + shift[b, c]: x F32 [B, C, ...] contiguous,
// in place; scale, shift F32 [B, C] (may be strided, e.g. rows of one table).
void modulate_channels_inplace(Tensor& x, const Tensor& scale, const Tensor& shift);

}  // namespace ltx2
