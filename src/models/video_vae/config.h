#pragma once
// LTX-2 / LTX-2.3 video VAE configuration, parsed from the `vae` section of the checkpoint's
// `config` metadata (the keys and defaults the official configurators read). The two releases
// differ only in what their sections say: LTX-2.3 writes `decoder_base_channels`,
// `spatial_padding_mode` and channel-reducing compress_time / compress_space upsamplers.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ops/conv.h"

namespace ltx2 {

enum class VaeBlockKind {
    ResX,              // res_x: num_layers residual blocks, width unchanged
    CompressTime,      // decoder compress_time: depth-to-space (2, 1, 1)
    CompressSpace,     // decoder compress_space: depth-to-space (1, 2, 2)
    CompressAll,       // decoder compress_all: depth-to-space (2, 2, 2)
    CompressSpaceRes,  // encoder compress_space_res: space-to-depth (1, 2, 2)
    CompressTimeRes,   // encoder compress_time_res: space-to-depth (2, 1, 1)
    CompressAllRes,    // encoder compress_all_res: space-to-depth (2, 2, 2)
};

struct VaeBlockSpec {
    VaeBlockKind kind = VaeBlockKind::ResX;
    std::string name;    // as written in the config ("res_x", ...)
    int num_layers = 1;  // res_x
    // compress_*: the decoder divides the width by it (default 1), the encoder multiplies it (default 2).
    int multiplier = 1;
    bool residual = false;  // decoder upsamplers

    // The (time, space) stride of a compress block; (1, 1) for res_x.
    int time_stride() const;
    int space_stride() const;
    int stride_volume() const { return time_stride() * space_stride() * space_stride(); }
};

struct VideoVaeConfig {
    int in_channels = 3;
    int out_channels = 3;
    int latent_channels = 128;
    int patch_size = 4;
    // Width after the last decoder upsampler (`decoder_base_channels`; files without the key,
    // the LTX-2 ones, size the decoder from latent_channels as their reference did).
    int decoder_base_channels = 128;
    bool causal_decoder = false;
    bool timestep_conditioning = true;  // the reference default when the key is absent
    PadMode encoder_padding = PadMode::Constant;  // "zeros"
    PadMode decoder_padding = PadMode::Reflect;   // "reflect"
    std::vector<VaeBlockSpec> encoder_blocks;  // in listed (execution) order
    std::vector<VaeBlockSpec> decoder_blocks;  // in execution order (the config list reversed)

    // Width of the decoder's conv_in output: decoder_base_channels × every upsampler's multiplier.
    int decoder_first_channels() const;
    // Pixel frames / rows / columns a latent decodes to.
    static constexpr int kTimeFactor = 8;
    static constexpr int kSpaceFactor = 32;
};

// `config` is the whole `config` metadata object (holding "vae"); source names the file.
VideoVaeConfig parse_video_vae_config(const nlohmann::json& config, const std::string& source);

}  // namespace ltx2
