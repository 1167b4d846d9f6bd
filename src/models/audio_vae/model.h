#pragma once
// LTX-2 audio VAE (ltx_core.model.audio_vae): the decoder (normalised latent -> log-mel
// spectrogram) and the encoder (log-mel spectrogram -> normalised latent means).
// Layout: (batch, channels, time frames, frequency bins); time is causal.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/audio_vae/config.h"

namespace ltx2 {

// Called with intermediate results (names as in the golden fixtures' dbg.* tensors).
using AudioVaeTap = std::function<void(const std::string& name, const Tensor& value)>;

struct AudioVaeConv {
    Tensor weight;  // [Cout, Cin, k, k], F32 or BF16
    Tensor bias;    // [Cout], F32
};

struct AudioVaeResBlock {
    AudioVaeConv conv1, conv2;
    AudioVaeConv nin_shortcut;  // weight undefined when the width does not change
};

// Latent statistics (ch entries), applied to the latent flattened per frame as C·F values.
struct AudioVaeStatistics {
    Tensor std_of_means;   // F32 [ch]
    Tensor mean_of_means;  // F32 [ch]
};

class AudioDecoder {
public:
    // Reads `audio_vae.decoder.*` and `audio_vae.per_channel_statistics.*` (store prefix "audio_vae.").
    static AudioDecoder load(const WeightStore& store);
    static AudioDecoder load(const WeightStore& store, const AudioVaeConfig& config);

    // latent [B, z_channels, T, latent mel bins] -> mel [B, out_ch, 4T-3 (causal), mel_bins].
    Tensor forward(const Tensor& latent, const AudioVaeTap& tap = {}) const;
    const AudioVaeConfig& config() const { return config_; }

private:
    AudioVaeConfig config_;
    AudioVaeStatistics stats_;
    AudioVaeConv conv_in, conv_out;
    AudioVaeResBlock mid1, mid2;
    std::vector<std::vector<AudioVaeResBlock>> up_blocks;  // [level][i]
    std::vector<AudioVaeConv> upsample;                    // [level], undefined for level 0
};

class AudioEncoder {
public:
    // Reads `audio_vae.encoder.*` and `audio_vae.per_channel_statistics.*`.
    static AudioEncoder load(const WeightStore& store);
    static AudioEncoder load(const WeightStore& store, const AudioVaeConfig& config);

    // mel [B, in_channels, T, mel_bins] -> normalised latent means [B, z_channels, (T-1)/4+1, mel_bins/4].
    Tensor forward(const Tensor& mel, const AudioVaeTap& tap = {}) const;
    const AudioVaeConfig& config() const { return config_; }

private:
    AudioVaeConfig config_;
    AudioVaeStatistics stats_;
    AudioVaeConv conv_in, conv_out;
    AudioVaeResBlock mid1, mid2;
    std::vector<std::vector<AudioVaeResBlock>> down_blocks;  // [level][i]
    std::vector<AudioVaeConv> downsample;                    // [level], undefined for the last level
};

AudioVaeConfig audio_vae_config(const WeightStore& store);

}  // namespace ltx2
