#pragma once
// Moving values between channels and space-time in 5-D feature maps, and the channel shortcuts
// of the VAE blocks that resample that way.
#include <array>

#include "core/tensor.h"
#include "ops/vae_params.h"

namespace ltx2 {

// 3-D depth-to-space (pixel shuffle) with strides (pt, ph, pw), P = pt·ph·pw: input channel
// c·P + (dt·ph + dh)·pw + dw at (f, h, w) goes to output channel c at
// (pt·f + dt − drop_frames, ph·h + dh, pw·w + dw); the first drop_frames output frames
// (0 ≤ drop_frames < pt) are dropped. First layout: x [B, C·P, F, H, W] ->
// [B, C, pt·F − drop_frames, ph·H, pw·W]; Last: x [B, F, H, W, C·P] -> [B, pt·F − drop_frames,
// ph·H, pw·W, C]. x F32 (any strides); the result is a new contiguous F32 tensor.
Tensor depth_to_space_3d(const Tensor& x, const std::array<int, 3>& stride, int64_t drop_frames,
                         ChannelLayout layout);

// The inverse, channels first, no frames dropped: x [B, C, pt·F, ph·H, pw·W] ->
// [B, C·P, F, H, W], the value at (pt·f + dt, ph·h + dh, pw·w + dw) of channel c going to
// channel c·P + (dt·ph + dh)·pw + dw at (f, h, w). x F32 (any strides), sizes divisible by the strides.
Tensor space_to_depth_3d(const Tensor& x, const std::array<int, 3>& stride);

// x[b, c, ...] += r[b, c mod Cr, ...]: r's channels repeated up to x's. x F32 [B, C, ...]
// contiguous, in place; r F32 [B, Cr, ...] with C a multiple of Cr and the same trailing sizes.
void add_repeated_channels_inplace(Tensor& x, const Tensor& r);

// x[b, c, ...] += (Σ_g s[b, c·G + g, ...]) / G, the sum over g = 0 … G − 1 in order, in F32.
// x F32 [B, C, ...] contiguous, in place; s F32 [B, C·G, ...] with the same trailing sizes.
void add_channel_group_means_inplace(Tensor& x, const Tensor& s);

}  // namespace ltx2
