#pragma once
// The parameter types of the VAE, DiffVAE and upsampler ops (ops/channel_statistics.h,
// ops/depth_to_space.h, ops/tile_blend.h, ops/audio_features.h), shared by every backend.
#include <cstdint>

namespace ltx2 {

// Which way per-channel latent statistics are applied.
enum class StatisticsDirection {
    Normalize,    // (x − mean) / std
    Denormalize,  // x · std + mean
};

// Where the channels of a 5-D feature map are.
enum class ChannelLayout {
    First,  // [B, C, F, H, W]
    Last,   // [B, F, H, W, C]
};

// The order in which a tile value is multiplied by its separable blend mask. The two orders
// round differently; each caller keeps its reference's.
enum class MaskProduct {
    OfMask,      // x · ((m_t · m_h) · m_w)
    Sequential,  // ((x · m_t) · m_h) · m_w
};

// A magnitude STFT followed by a mel filterbank (ops/audio_features.h).
struct MelSpectrogramSpec {
    int64_t n_fft = 1024;
    int64_t hop_length = 160;
    int mel_bins = 64;
    int sample_rate = 16000;  // of the signal, for the filterbank's frequencies
};

}  // namespace ltx2
