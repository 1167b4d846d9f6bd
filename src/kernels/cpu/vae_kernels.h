#pragma once
// The CPU kernels of the VAE, DiffVAE and upsampler ops; the math of each is documented with its
// op (the ops/ header named above it).
#include <array>

#include "core/tensor.h"
#include "ops/vae_params.h"

namespace ltx2::cpu {

// ops/channel_statistics.h (channel_statistics.cpp)
Tensor apply_channel_statistics(const Tensor& x, const Tensor& std, const Tensor& mean, StatisticsDirection direction);
void modulate_channels_inplace(Tensor& x, const Tensor& scale, const Tensor& shift);

// ops/depth_to_space.h (depth_to_space.cpp)
Tensor depth_to_space_3d(const Tensor& x, const std::array<int, 3>& stride, int64_t drop_frames, ChannelLayout layout);
Tensor space_to_depth_3d(const Tensor& x, const std::array<int, 3>& stride);
void add_repeated_channels_inplace(Tensor& x, const Tensor& r);
void add_channel_group_means_inplace(Tensor& x, const Tensor& s);

// ops/tile_blend.h (tile_blend.cpp)
void accumulate_masked_tile(const Tensor& values, const Tensor& weights, const Tensor& tile, const Tensor& mask_t,
                            const Tensor& mask_h, const Tensor& mask_w, MaskProduct order);
void divide_by_weights(const Tensor& values, const Tensor& weights, Tensor& out);

// ops/views.h (views.cpp)
void copy_into_view(const Tensor& dst, const Tensor& src);
void add_into_view(const Tensor& dst, const Tensor& src);

// ops/group_norm.h (group_norm.cpp)
void group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps, bool per_frame,
                        bool silu);

// ops/feature_resample.h (feature_resample.cpp)
Tensor upsample_nearest_2x(const Tensor& x);
Tensor blur_downsample_2d(const Tensor& x, const Tensor& kernel, int stride);

// ops/audio_features.h (sinc_resample.cpp, mel_spectrogram.cpp)
Tensor sinc_resample(const Tensor& x, int source_rate, int target_rate);
Tensor log_mel_spectrogram(const Tensor& x, const MelSpectrogramSpec& spec);

// ops/pixels.h (pixels.cpp)
Tensor unit_rgb_frames(const Tensor& v);
Tensor unit_to_uint8(const Tensor& x);

}  // namespace ltx2::cpu
