#pragma once
// LTX-2 audio VAE configuration, parsed from the `audio_vae` section of the checkpoint's
// `config` metadata (official nested structure: model.params.ddconfig, preprocessing.*).
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

struct AudioVaeConfig {
    int ch = 128;
    int out_ch = 2;
    std::vector<int> ch_mult{1, 2, 4};
    int num_res_blocks = 2;
    int resolution = 256;
    int z_channels = 8;
    int in_channels = 2;
    bool double_z = true;
    int mel_bins = 64;        // ddconfig.mel_bins, else preprocessing.mel.n_mel_channels
    int sampling_rate = 16000;
    int hop_length = 160;     // preprocessing.stft.hop_length
    int n_fft = 1024;         // preprocessing.stft.filter_length
    bool causal = true;       // preprocessing.stft.causal: decoded frames 4T-3 instead of 4T

    int levels() const { return int(ch_mult.size()); }
    int top_channels() const { return ch * ch_mult.back(); }  // width of mid blocks
    int downsample_factor() const { return 1 << (levels() - 1); }
    int latent_mel_bins() const { return mel_bins / downsample_factor(); }
    // Mel frames a latent of `frames` frames decodes to.
    int decoded_frames(int frames) const;
};

// `config` is the whole `config` metadata object (holding "audio_vae"); source names the file.
AudioVaeConfig parse_audio_vae_config(const nlohmann::json& config, const std::string& source);

}  // namespace ltx2
