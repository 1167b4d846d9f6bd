#pragma once
// The LTX vocoder's configuration, parsed from the `vocoder` section of a checkpoint's
// `config` metadata with the reference configurators' defaults, validated so that a bad
// section fails with a message naming the key.
//
// Two forms select two models (the section's shape is the data that decides, not a version):
//   flat `vocoder` {...}                      LTX-2 19B: one HiFi-GAN generator (@ 28c3c73);
//   nested `vocoder` {vocoder: {...}, bwe: {...}}  LTX-2.3: a BigVGAN-v2 generator to the BWE
//                                             input rate, then bandwidth extension (@ 400fd31).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

// "1": convs1/convs2 pairs with leaky ReLU; "2": single convs; "AMP1": convs1/convs2 pairs with
// anti-aliased SnakeBeta activations (BigVGAN v2).
enum class VocoderResBlock { Type1, Type2, Amp1 };

// One mel -> waveform generator (HiFi-GAN or BigVGAN v2).
struct VocoderGeneratorConfig {
    std::vector<int> resblock_kernel_sizes{3, 7, 11};
    std::vector<int> upsample_rates{6, 5, 2, 2, 2};
    std::vector<int> upsample_kernel_sizes{16, 15, 8, 4, 4};
    std::vector<std::vector<int>> resblock_dilation_sizes{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}};
    int upsample_initial_channel = 1024;
    bool stereo = true;
    VocoderResBlock resblock = VocoderResBlock::Type1;
    int output_sample_rate = 24000;
    // BigVGAN v2 only (the HiFi-GAN ends in tanh with a biased conv_post).
    bool apply_final_activation = true;  // false: no tanh / clamp after conv_post
    bool use_tanh_at_final = true;       // false: clamp(-1, 1) instead of tanh
    bool use_bias_at_final = true;       // conv_post has a bias

    static constexpr int kMelBins = 64;  // mel bins per audio channel (fixed by the model)
    bool is_amp() const { return resblock == VocoderResBlock::Amp1; }
    int audio_channels() const { return stereo ? 2 : 1; }
    int in_channels() const { return kMelBins * audio_channels(); }  // conv_pre input width
    int out_channels() const { return audio_channels(); }            // conv_post output width
    int num_upsamples() const { return int(upsample_rates.size()); }
    int num_kernels() const { return int(resblock_kernel_sizes.size()); }
    // Width entering stage i (i = num_upsamples() gives the width after the last stage).
    int stage_channels(int i) const { return upsample_initial_channel >> i; }
    int convs_per_resblock() const { return resblock == VocoderResBlock::Type2 ? 2 : 3; }
    int upsample_factor() const;  // product of the upsample rates (samples per mel frame)
};

// Bandwidth extension: log-mel of the generator's waveform (causal STFT) -> a second generator
// predicting a residual on top of a windowed-sinc resampling of the waveform.
struct VocoderBweConfig {
    VocoderGeneratorConfig generator;  // no final activation
    int input_sampling_rate = 16000;
    int output_sampling_rate = 48000;
    int hop_length = 80;
    int n_fft = 512;
    int num_mels = 64;

    int ratio() const { return output_sampling_rate / input_sampling_rate; }  // skip resampling factor
    int n_freqs() const { return n_fft / 2 + 1; }
};

struct VocoderConfig {
    VocoderGeneratorConfig vocoder;      // mel -> waveform (at the BWE input rate when bwe is set)
    std::optional<VocoderBweConfig> bwe;  // the nested LTX-2.3 form

    // Output samples per mel frame and the rate of the model's final waveform.
    int upsample_factor() const;
    int output_sample_rate() const { return bwe ? bwe->output_sampling_rate : vocoder.output_sample_rate; }
};

// `config` is the whole `config` metadata object; `source` names the file for messages.
// An absent `vocoder` section gives the reference defaults (the 19B HiFi-GAN).
VocoderConfig parse_vocoder_config(const nlohmann::json& config, const std::string& source);

}  // namespace ltx2
