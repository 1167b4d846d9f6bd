#include "models/audio_vae/config.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

namespace {

using nlohmann::json;

class Section {
public:
    Section(const json& s, std::string path, const std::string& source) : s_(s), path_(std::move(path)), source_(source) {}

    bool has(const std::string& key) const { return s_.contains(key) && !s_.at(key).is_null(); }
    std::string name(const std::string& key) const { return path_ + "." + key; }

    int integer(const std::string& key, int fallback, int min_value = 1) const {
        if (!has(key)) return fallback;
        return as_int(s_.at(key), name(key), min_value);
    }
    int as_int(const json& v, const std::string& what, int min_value) const {
        if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
            fail("{}: config key '{}' must be an integer, got {}", source_, what, v.dump());
        const double d = v.get<double>();
        if (d < min_value || d > 1e9)
            fail("{}: config key '{}' is {}, expected an integer >= {}", source_, what, v.dump(), min_value);
        return int(d);
    }
    bool boolean(const std::string& key, bool fallback) const {
        if (!has(key)) return fallback;
        const json& v = s_.at(key);
        if (!v.is_boolean()) fail("{}: config key '{}' must be true or false, got {}", source_, name(key), v.dump());
        return v.get<bool>();
    }
    std::string string(const std::string& key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        const json& v = s_.at(key);
        if (!v.is_string()) fail("{}: config key '{}' must be a string, got {}", source_, name(key), v.dump());
        return v.get<std::string>();
    }
    std::vector<int> int_list(const std::string& key, std::vector<int> fallback, int min_value) const {
        if (!has(key)) return fallback;
        const json& v = s_.at(key);
        if (!v.is_array()) fail("{}: config key '{}' must be a list of integers, got {}", source_, name(key), v.dump());
        std::vector<int> out;
        for (const json& e : v) out.push_back(as_int(e, name(key), min_value));
        return out;
    }
    // A nested object (empty when absent).
    Section child(const std::string& key) const {
        static const json kEmpty = json::object();
        if (!has(key)) return Section(kEmpty, name(key), source_);
        const json& v = s_.at(key);
        if (!v.is_object()) fail("{}: config key '{}' must be an object, got {}", source_, name(key), v.dump());
        return Section(v, name(key), source_);
    }

private:
    const json& s_;
    std::string path_;
    const std::string& source_;
};

}  // namespace

int AudioVaeConfig::decoded_frames(int frames) const {
    const int f = downsample_factor();
    int t = frames * f;
    if (causal) t = std::max(t - (f - 1), 1);
    return t;
}

AudioVaeConfig parse_audio_vae_config(const json& config, const std::string& source) {
    if (!config.is_object()) fail("{}: the `config` metadata is not a JSON object", source);
    if (!config.contains("audio_vae") || !config.at("audio_vae").is_object())
        fail("{}: the `config` metadata has no 'audio_vae' object (not an LTX-2 audio VAE checkpoint?)", source);
    const Section root(config.at("audio_vae"), "audio_vae", source);
    const Section params = root.child("model").child("params");
    const Section dd = params.child("ddconfig");
    const Section pre = root.child("preprocessing");

    AudioVaeConfig c;
    c.ch = dd.integer("ch", 128);
    c.out_ch = dd.integer("out_ch", 2);
    c.ch_mult = dd.int_list("ch_mult", {1, 2, 4}, 1);
    if (c.ch_mult.empty()) fail("{}: config key 'audio_vae.model.params.ddconfig.ch_mult' is empty", source);
    c.num_res_blocks = dd.integer("num_res_blocks", 2);
    c.resolution = dd.integer("resolution", 256);
    c.z_channels = dd.integer("z_channels", 8);
    c.in_channels = dd.integer("in_channels", 2);
    c.double_z = dd.boolean("double_z", true);

    // Attention is on by default in the reference; LTX-2 sets it off and this engine has no
    // audio-VAE attention, so a config that enables it is refused.
    const std::vector<int> attn = dd.int_list("attn_resolutions", {8, 16, 32}, 0);
    if (!attn.empty())
        fail("{}: config key 'audio_vae.model.params.ddconfig.attn_resolutions' is {} (absent means [8, 16, 32]); "
             "only [] is supported (LTX-2 uses no attention in the audio VAE)",
             source, dd.has("attn_resolutions") ? json(attn).dump() : "absent");
    if (dd.boolean("mid_block_add_attention", true))
        fail("{}: config key 'audio_vae.model.params.ddconfig.mid_block_add_attention' is true (the default when "
             "absent); only false is supported (LTX-2 uses no attention in the audio VAE)",
             source);
    const std::string norm = dd.string("norm_type", "pixel");
    if (norm != "pixel")
        fail("{}: config key 'audio_vae.model.params.ddconfig.norm_type' is \"{}\", only \"pixel\" is supported", source,
             norm);
    const std::string axis = dd.string("causality_axis", "height");
    if (axis != "height")
        fail("{}: config key 'audio_vae.model.params.ddconfig.causality_axis' is \"{}\", only \"height\" is supported",
             source, axis);

    c.sampling_rate = params.integer("sampling_rate", 16000);
    const Section stft = pre.child("stft");
    c.hop_length = stft.integer("hop_length", 160);
    c.n_fft = stft.integer("filter_length", 1024);
    c.causal = stft.boolean("causal", true);
    if (dd.has("mel_bins")) c.mel_bins = dd.integer("mel_bins", 64);
    else {
        const Section mel = pre.child("mel");
        if (!mel.has("n_mel_channels"))
            fail("{}: config has neither 'audio_vae.model.params.ddconfig.mel_bins' nor "
                 "'audio_vae.preprocessing.mel.n_mel_channels'",
                 source);
        c.mel_bins = mel.integer("n_mel_channels", 64);
    }
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
