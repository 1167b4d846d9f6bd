#include "models/video_vae/config.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

namespace {

using nlohmann::json;

bool has(const json& s, const std::string& key) { return s.contains(key) && !s.at(key).is_null(); }

int as_int(const json& v, const std::string& what, const std::string& source, int min_value) {
    if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
        fail("{}: config key '{}' must be an integer, got {}", source, what, v.dump());
    const double d = v.get<double>();
    if (d < min_value || d > 1e9)
        fail("{}: config key '{}' is {}, expected an integer >= {}", source, what, v.dump(), min_value);
    return int(d);
}

int integer(const json& s, const std::string& path, const std::string& key, const std::string& source, int fallback,
            int min_value = 1) {
    if (!has(s, key)) return fallback;
    return as_int(s.at(key), path + "." + key, source, min_value);
}

bool boolean(const json& s, const std::string& path, const std::string& key, const std::string& source, bool fallback) {
    if (!has(s, key)) return fallback;
    const json& v = s.at(key);
    if (!v.is_boolean()) fail("{}: config key '{}.{}' must be true or false, got {}", source, path, key, v.dump());
    return v.get<bool>();
}

std::string string(const json& s, const std::string& path, const std::string& key, const std::string& source,
                   const std::string& fallback) {
    if (!has(s, key)) return fallback;
    const json& v = s.at(key);
    if (!v.is_string()) fail("{}: config key '{}.{}' must be a string, got {}", source, path, key, v.dump());
    return v.get<std::string>();
}

PadMode padding_mode(const json& s, const std::string& key, const std::string& source, const std::string& fallback) {
    const std::string m = string(s, "vae", key, source, fallback);
    if (m == "zeros") return PadMode::Constant;
    if (m == "reflect") return PadMode::Reflect;
    if (m == "replicate") return PadMode::Replicate;
    fail("{}: config key 'vae.{}' is \"{}\", expected \"zeros\", \"reflect\" or \"replicate\"", source, key, m);
}

// One `[name, int]` or `[name, {params}]` entry.
VaeBlockSpec parse_block(const json& e, const std::string& what, const std::string& source, bool decoder) {
    if (!e.is_array() || e.size() != 2 || !e.at(0).is_string())
        fail("{}: config entry '{}' must be [name, num_layers] or [name, {{params}}], got {}", source, what, e.dump());
    VaeBlockSpec b;
    b.name = e.at(0).get<std::string>();
    const json& p = e.at(1);
    static const json kEmpty = json::object();
    const json& params = p.is_object() ? p : kEmpty;
    if (!p.is_object() && !p.is_number())
        fail("{}: config entry '{}' has parameters {}, expected an integer or an object", source, what, p.dump());
    const std::string path = what + "[1]";
    if (b.name == "res_x") {
        b.kind = VaeBlockKind::ResX;
        b.num_layers = p.is_number() ? as_int(p, path, source, 1) : integer(params, path, "num_layers", source, 1);
        if (boolean(params, path, "inject_noise", source, false))
            fail("{}: config entry '{}' sets inject_noise true; only false is supported (LTX-2 injects no noise "
                 "in its VAE blocks)",
                 source, what);
        return b;
    }
    if (decoder && b.name == "compress_all") {
        b.kind = VaeBlockKind::CompressAll;
        b.multiplier = integer(params, path, "multiplier", source, 1);
        b.residual = boolean(params, path, "residual", source, false);
        if (8 % b.multiplier != 0)
            fail("{}: config entry '{}' has multiplier {}, expected 1, 2, 4 or 8", source, what, b.multiplier);
        return b;
    }
    if (!decoder && (b.name == "compress_space_res" || b.name == "compress_time_res" || b.name == "compress_all_res")) {
        b.kind = b.name == "compress_space_res"  ? VaeBlockKind::CompressSpaceRes
                 : b.name == "compress_time_res" ? VaeBlockKind::CompressTimeRes
                                                 : VaeBlockKind::CompressAllRes;
        b.multiplier = integer(params, path, "multiplier", source, 2);
        if (b.multiplier != 2)
            fail("{}: config entry '{}' has multiplier {}; only 2 is supported", source, what, b.multiplier);
        return b;
    }
    fail("{}: config entry '{}' is an unsupported {} block \"{}\" (supported: {})", source, what,
         decoder ? "decoder" : "encoder", b.name,
         decoder ? "res_x, compress_all" : "res_x, compress_space_res, compress_time_res, compress_all_res");
}

std::vector<VaeBlockSpec> parse_blocks(const json& vae, const std::string& key, const std::string& source,
                                       bool decoder) {
    if (!has(vae, key) || !vae.at(key).is_array() || vae.at(key).empty())
        fail("{}: config key 'vae.{}' must be a non-empty list of blocks, got {}", source, key,
             has(vae, key) ? vae.at(key).dump() : "nothing");
    std::vector<VaeBlockSpec> out;
    const json& list = vae.at(key);
    for (size_t i = 0; i < list.size(); ++i)
        out.push_back(parse_block(list.at(i), fmt::format("vae.{}[{}]", key, i), source, decoder));
    return out;
}

}  // namespace

int VideoVaeConfig::decoder_first_channels() const {
    int c = latent_channels;
    for (const VaeBlockSpec& b : decoder_blocks)
        if (b.kind == VaeBlockKind::CompressAll) c *= b.multiplier;
    return c;
}

VideoVaeConfig parse_video_vae_config(const json& config, const std::string& source) {
    if (!config.is_object()) fail("{}: the `config` metadata is not a JSON object", source);
    if (!config.contains("vae") || !config.at("vae").is_object())
        fail("{}: the `config` metadata has no 'vae' object (not an LTX-2 video VAE checkpoint?)", source);
    const json& vae = config.at("vae");

    VideoVaeConfig c;
    const int dims = integer(vae, "vae", "dims", source, 3);
    if (dims != 3) fail("{}: config key 'vae.dims' is {}, only 3 is supported", source, dims);
    c.in_channels = integer(vae, "vae", "in_channels", source, 3);
    c.out_channels = integer(vae, "vae", "out_channels", source, 3);
    c.latent_channels = integer(vae, "vae", "latent_channels", source, 128);
    c.patch_size = integer(vae, "vae", "patch_size", source, 4);
    const std::string norm = string(vae, "vae", "norm_layer", source, "pixel_norm");
    if (norm != "pixel_norm")
        fail("{}: config key 'vae.norm_layer' is \"{}\", only \"pixel_norm\" is supported", source, norm);
    const std::string log_var = string(vae, "vae", "latent_log_var", source, "uniform");
    if (log_var != "uniform")
        fail("{}: config key 'vae.latent_log_var' is \"{}\", only \"uniform\" is supported", source, log_var);
    c.causal_decoder = boolean(vae, "vae", "causal_decoder", source, false);
    c.timestep_conditioning = boolean(vae, "vae", "timestep_conditioning", source, true);
    c.encoder_padding = padding_mode(vae, "encoder_spatial_padding_mode", source, "zeros");
    c.decoder_padding = padding_mode(vae, "decoder_spatial_padding_mode", source, "reflect");
    c.encoder_blocks = parse_blocks(vae, "encoder_blocks", source, false);
    std::vector<VaeBlockSpec> dec = parse_blocks(vae, "decoder_blocks", source, true);
    c.decoder_blocks.assign(dec.rbegin(), dec.rend());
    int width = c.decoder_first_channels();
    for (const VaeBlockSpec& b : c.decoder_blocks) {
        if (b.kind != VaeBlockKind::CompressAll) continue;
        if (width % 8 != 0)
            fail("{}: decoder compress_all block at width {} is not possible (the width must be a multiple of 8)",
                 source, width);
        width /= b.multiplier;
    }
    return c;
}

}  // namespace ltx2
