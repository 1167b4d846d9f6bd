#pragma once
// Activations between the caller's plain [B, C, S] f32 (S: the spatial positions, flattened) and
// the channels-last [B, S, C] layout oneDNN's convolutions read and write. A cache-tiled
// transpose: oneDNN's generic reorder runs these at a fraction of memory speed for long signals.
#include <cstdint>

namespace ltx2::cpu {

// dst[b, s, c] = src[b, c, s].
void to_channels_last(const float* src, int64_t batch, int64_t channels, int64_t spatial, float* dst);
// The same, each value rounded to bf16 (nearest, ties to even) as f32_to_bf16_array does.
void to_channels_last_bf16(const float* src, int64_t batch, int64_t channels, int64_t spatial, uint16_t* dst);
// dst[b, c, s] = src[b, s, c].
void from_channels_last(const float* src, int64_t batch, int64_t channels, int64_t spatial, float* dst);

}  // namespace ltx2::cpu
