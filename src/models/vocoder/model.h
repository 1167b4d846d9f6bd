#pragma once
// The LTX-2 vocoder (HiFi-GAN style): log-mel spectrogram -> waveform.
//
// Input: stereo (B, 2, T, 64) — the audio VAE decoder's (batch, channel, frame, mel bin)
// layout — or mono (B, T, 64) / (B, 1, T, 64); F32 or BF16. Output: F32 (B, channels,
// T · upsample_factor) in [-1, 1].
#include <functional>
#include <string>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/vocoder/config.h"
#include "models/vocoder/weights.h"

namespace ltx2 {

// Receives intermediate tensors by name: "after_conv_pre", "after_ups.{i}",
// "conv_post_before_tanh".
using VocoderTap = std::function<void(const std::string& name, const Tensor& value)>;

class Vocoder {
public:
    // Config from the store's `config` metadata (section `vocoder`), then the weights.
    static Vocoder load(const WeightStore& store);
    static Vocoder load(const WeightStore& store, const VocoderConfig& config);

    const VocoderConfig& config() const { return config_; }
    const VocoderWeights& weights() const { return weights_; }
    int upsample_factor() const { return config_.upsample_factor(); }
    int output_sample_rate() const { return config_.output_sample_rate; }

    Tensor forward(const Tensor& mel, const VocoderTap& tap = {}) const;

private:
    VocoderConfig config_;
    VocoderWeights weights_;
};

}  // namespace ltx2
