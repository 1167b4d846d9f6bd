#pragma once
// The LTX vocoder: log-mel spectrogram -> waveform. The config decides the model:
//   LTX-2 (19B): a HiFi-GAN generator at 24 kHz;
//   LTX-2.3: a BigVGAN-v2 generator at 16 kHz, then bandwidth extension to 48 kHz (a second
//   generator predicts a residual on top of a Hann-sinc resampling of the 16 kHz waveform).
//
// Input: stereo (B, 2, T, 64) — the audio VAE decoder's (batch, channel, frame, mel bin)
// layout — or, for a mono HiFi-GAN, (B, T, 64) / (B, 1, T, 64); F32 or BF16. Output: F32
// (B, channels, T · upsample_factor()) in [-1, 1] at output_sample_rate().
#include <string>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/vocoder/config.h"
#include "models/vocoder/generator.h"
#include "models/vocoder/weights.h"

namespace ltx2 {

class Vocoder {
public:
    // Config from the store's `config` metadata (section `vocoder`), then the weights.
    static Vocoder load(const WeightStore& store);
    static Vocoder load(const WeightStore& store, const VocoderConfig& config);

    const VocoderConfig& config() const { return config_; }
    const VocoderWeights& weights() const { return weights_; }
    int upsample_factor() const { return config_.upsample_factor(); }
    int output_sample_rate() const { return config_.output_sample_rate(); }

    // Taps: the generator's names (see generator.h), prefixed "vocoder." / "bwe_generator." with
    // bandwidth extension, plus "waveform_16k" (the first generator's output), "bwe_mel",
    // "bwe_residual", "resampler_filter" and "skip_resampled".
    Tensor forward(const Tensor& mel, const VocoderTap& tap = {}) const;

private:
    Tensor bandwidth_extension(const Tensor& waveform, const VocoderTap& tap) const;

    VocoderConfig config_;
    VocoderWeights weights_;
    Tensor resampler_filter_;  // BWE: the skip path's Hann-sinc filter (not stored in the file)
};

}  // namespace ltx2
