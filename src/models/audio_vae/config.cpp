#include "models/audio_vae/config.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "models/config_section.h"

namespace ltx2 {

namespace {

using nlohmann::json;

std::vector<int> int_list(const ConfigSection& s, const std::string& key, std::vector<int> fallback, int min_value) {
    const json& v = s.raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_array()) s.reject(key, v, "a list of integers");
    std::vector<int> out;
    for (const json& e : v) {
        if (!e.is_number() || e.get<double>() != std::floor(e.get<double>()) || e.get<double>() < min_value ||
            e.get<double>() > 1e9)
            s.reject(key, v, fmt::format("a list of integers >= {}", min_value));
        out.push_back(e.get<int>());
    }
    return out;
}

}  // namespace

int AudioVaeConfig::decoded_frames(int frames) const {
    const int f = downsample_factor();
    int t = frames * f;
    if (causal) t = std::max(t - (f - 1), 1);
    return t;
}

AudioVaeConfig parse_audio_vae_config(const json& config, const std::string& source) {
    const ConfigSection root =
        ConfigSection::of(config, "audio_vae", source, true, "an LTX-2 audio VAE checkpoint");
    const ConfigSection model = root.section("model");
    const ConfigSection params = model.section("params");
    const ConfigSection dd = params.section("ddconfig");
    const ConfigSection pre = root.section("preprocessing");
    const ConfigSection stft = pre.section("stft");
    const ConfigSection mel = pre.section("mel");
    const ConfigSection variables = root.section("variables");

    AudioVaeConfig c;
    c.ch = dd.integer("ch", 128);
    c.out_ch = dd.integer("out_ch", 2);
    c.ch_mult = int_list(dd, "ch_mult", {1, 2, 4}, 1);
    if (c.ch_mult.empty()) fail("{}: config key '{}' is empty", source, dd.full_key("ch_mult"));
    c.num_res_blocks = dd.integer("num_res_blocks", 2);
    c.resolution = dd.integer("resolution", 256);
    c.z_channels = dd.integer("z_channels", 8);
    c.in_channels = dd.integer("in_channels", 2);
    c.double_z = dd.boolean("double_z", true);

    // Attention is on by default in the reference; LTX-2 sets it off and this engine has no
    // audio-VAE attention, so a config that enables it is refused.
    const std::vector<int> attn = int_list(dd, "attn_resolutions", {8, 16, 32}, 0);
    if (!attn.empty())
        fail("{}: config key '{}' is {} (absent means [8, 16, 32]); only [] is supported (LTX-2 uses no attention in "
             "the audio VAE)",
             source, dd.full_key("attn_resolutions"), dd.has("attn_resolutions") ? json(attn).dump() : "absent");
    if (dd.boolean("mid_block_add_attention", true))
        fail("{}: config key '{}' is true (the default when absent); only false is supported (LTX-2 uses no "
             "attention in the audio VAE)",
             source, dd.full_key("mid_block_add_attention"));
    dd.choice("norm_type", "pixel", {"pixel"});
    dd.choice("causality_axis", "height", {"height"});
    if (!dd.boolean("resamp_with_conv", true))
        dd.reject("resamp_with_conv", false, "true (the encoder downsamples with strided convs)");
    // Inference no-ops (dropout), a training setting the reference does not read (downsample_time)
    // and the attention kind (no attention is built).
    dd.known({"dropout", "downsample_time", "attn_type"});

    c.sampling_rate = params.integer("sampling_rate", 16000);
    c.hop_length = stft.integer("hop_length", 160);
    c.n_fft = stft.integer("filter_length", 1024);
    c.causal = stft.boolean("causal", true);
    // The reference: ddconfig.mel_bins or preprocessing.mel.n_mel_channels or variables.mel_bins.
    if (dd.has("mel_bins")) c.mel_bins = dd.integer("mel_bins", 64);
    else if (mel.has("n_mel_channels")) c.mel_bins = mel.integer("n_mel_channels", 64);
    else if (variables.has("mel_bins")) c.mel_bins = variables.integer("mel_bins", 64);
    else
        fail("{}: config has none of '{}', '{}', '{}'", source, dd.full_key("mel_bins"), mel.full_key("n_mel_channels"),
             variables.full_key("mel_bins"));
    // Settings of the training data preprocessing that the reference configurators do not read
    // (the mel front end uses win_length = n_fft and 0 .. sampling_rate / 2 Hz).
    pre.known({"audio"});
    stft.known({"win_length"});
    mel.known({"n_mel_channels", "mel_fmin", "mel_fmax"});
    variables.known({"mel_bins"});
    for (const ConfigSection* s : {&dd, &params, &model, &stft, &mel, &pre, &variables, &root}) s->reject_unknown();

    if (c.mel_bins % c.downsample_factor() != 0)
        fail("{}: audio_vae mel_bins {} is not divisible by the downsampling factor {} (2^(len(ch_mult)-1))", source,
             c.mel_bins, c.downsample_factor());
    if (c.ch != c.z_channels * c.latent_mel_bins())
        fail("{}: audio_vae ch {} must equal z_channels {} x latent mel bins {} (the latent statistics have ch "
             "entries applied to the flattened latent)",
             source, c.ch, c.z_channels, c.latent_mel_bins());
    return c;
}

}  // namespace ltx2
