#pragma once
// The LTX-2 vocoder's configuration, parsed from the `vocoder` section of a checkpoint's
// `config` metadata with the reference configurator's defaults, validated so that a bad
// section fails with a message naming the key.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

enum class VocoderResBlock { Type1, Type2 };  // "1": convs1/convs2 pairs; "2": single convs

struct VocoderConfig {
    std::vector<int> resblock_kernel_sizes{3, 7, 11};
    std::vector<int> upsample_rates{6, 5, 2, 2, 2};
    std::vector<int> upsample_kernel_sizes{16, 15, 8, 4, 4};
    std::vector<std::vector<int>> resblock_dilation_sizes{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}};
    int upsample_initial_channel = 1024;
    bool stereo = true;
    VocoderResBlock resblock = VocoderResBlock::Type1;
    int output_sample_rate = 24000;

    static constexpr int kMelBins = 64;  // mel bins per audio channel (fixed by the model)
    int audio_channels() const { return stereo ? 2 : 1; }
    int in_channels() const { return kMelBins * audio_channels(); }  // conv_pre input width
    int out_channels() const { return audio_channels(); }            // conv_post output width
    int num_upsamples() const { return int(upsample_rates.size()); }
    int num_kernels() const { return int(resblock_kernel_sizes.size()); }
    // Width entering stage i (i = num_upsamples() gives the width after the last stage).
    int stage_channels(int i) const { return upsample_initial_channel >> i; }
    int convs_per_resblock() const { return resblock == VocoderResBlock::Type1 ? 3 : 2; }
    int upsample_factor() const;  // product of the upsample rates (samples per mel frame)
};

// `config` is the whole `config` metadata object; `source` names the file for messages.
// An absent `vocoder` section gives the reference defaults.
VocoderConfig parse_vocoder_config(const nlohmann::json& config, const std::string& source);

}  // namespace ltx2
