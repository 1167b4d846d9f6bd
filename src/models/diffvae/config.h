#pragma once
// LTX-2.5 diffusion video VAE decoder ("DiffVAE": `vae._class_name` CausalDiffusionVAE, decoder
// NADiffusionDecoder), read from the `vae` section of the checkpoint's `config` metadata with
// the reference configurator's keys and class defaults.
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

using Int3 = std::array<int, 3>;  // (time, height, width)

struct DiffVaeUpsample {
    Int3 stride{1, 1, 1};
    int reduction = 1;  // output width = input width / reduction
    int volume() const { return stride[0] * stride[1] * stride[2]; }
};

struct DiffVaeConfig {
    int in_channels = 128;
    int out_channels = 3;
    int patch_size = 4;
    int head_dim = 64;
    int t_emb_dim = 384;
    // Stages 1-4 are deterministic NA stages (stage_channels[0..3]); stage 5 is the diffusion
    // stage, working at stage5_channels on the patchified pixels, with stage_channels[4] as
    // the width of its context.
    std::vector<int> stage_channels;
    std::vector<int> stage_depths;
    std::vector<Int3> stage_kernels;
    std::vector<DiffVaeUpsample> upsamples;  // one after each of stages 1-4
    Int3 stage5_kernel{3, 7, 7};
    int stage5_channels = 0;
    int num_inference_steps = 2;
    double timestep_scale_multiplier = 1.0;
    std::string model_output_type = "v";

    static constexpr int kStages = 5;
    static constexpr int kTimeFactor = 8;    // latent frame -> pixel frames
    static constexpr int kSpaceFactor = 32;  // latent row / column -> pixels
    int context_channels() const { return stage_channels[4]; }
    int mlp_hidden(int channels) const { return (channels * 4 + 15) / 16 * 16; }
};

// `config` is the whole `config` metadata object (holding "vae"); source names the file.
// Fails naming the file and key for unknown keys, impossible geometries and settings this
// build cannot run (multi-step schedules, velocity output).
DiffVaeConfig parse_diffvae_config(const nlohmann::json& config, const std::string& source);

// Whether the `vae` section names the diffusion decoder (else the convolutional VAE).
bool is_diffvae_config(const nlohmann::json& config);

}  // namespace ltx2
