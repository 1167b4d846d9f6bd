#include "models/video_vae/config.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/config_section.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// The class the conv VAE's configurators build from; other classes (LTX-2.5's diffusion
// decoder "CausalDiffusionVAE") are different models.
constexpr const char* kConvVaeClass = "CausalVideoAutoencoder";

PadMode padding_mode(const ConfigSection& vae, const std::string& key, const std::string& fallback) {
    const std::string m = vae.choice(key, fallback, {"zeros", "reflect", "replicate"});
    return m == "zeros" ? PadMode::Constant : m == "reflect" ? PadMode::Reflect : PadMode::Replicate;
}

// LTX-2.3 names one `spatial_padding_mode` for encoder and decoder; LTX-2 files name each side
// (`<side>_spatial_padding_mode`). A file naming both must not disagree.
PadMode side_padding(const ConfigSection& vae, const std::string& side, const std::string& fallback) {
    const std::string own = side + "_spatial_padding_mode";
    if (!vae.has("spatial_padding_mode")) return padding_mode(vae, own, fallback);
    const PadMode shared = padding_mode(vae, "spatial_padding_mode", fallback);
    if (vae.has(own) && padding_mode(vae, own, fallback) != shared)
        fail("{}: config keys '{}' and '{}' disagree ({} vs {}); give one padding mode", vae.source(),
             vae.full_key("spatial_padding_mode"), vae.full_key(own), vae.raw("spatial_padding_mode").dump(),
             vae.raw(own).dump());
    return shared;
}

// The parameters of one `[name, int]` or `[name, {params}]` entry, readable as a section named
// "vae.<list>[i]".
ConfigSection block_params(const json& params, const std::string& list, size_t i, const std::string& source) {
    const json root = {{"vae", {{fmt::format("{}[{}]", list, i), params}}}};
    return ConfigSection::of(root, fmt::format("vae.{}[{}]", list, i), source);
}

VaeBlockSpec parse_block(const json& e, const std::string& list, size_t i, const std::string& source, bool decoder) {
    const std::string what = fmt::format("vae.{}[{}]", list, i);
    if (!e.is_array() || e.size() != 2 || !e.at(0).is_string())
        fail("{}: config entry '{}' must be [name, num_layers] or [name, {{params}}], got {}", source, what, e.dump());
    const json& p = e.at(1);
    if (!p.is_object() && !p.is_number())
        fail("{}: config entry '{}' has parameters {}, expected an integer or an object", source, what, p.dump());
    VaeBlockSpec b;
    b.name = e.at(0).get<std::string>();
    // A bare number is res_x's layer count; other blocks ignore it (their parameters default).
    const ConfigSection params = block_params(p.is_object() ? p : json::object(), list, i, source);
    if (b.name == "res_x") {
        b.kind = VaeBlockKind::ResX;
        b.num_layers = p.is_number() ? block_params(json{{"num_layers", p}}, list, i, source).integer("num_layers", 1)
                                     : params.integer("num_layers", 1);
        if (params.boolean("inject_noise", false))
            fail("{}: config entry '{}' sets inject_noise true; only false is supported (LTX-2 injects no noise "
                 "in its VAE blocks)",
                 source, what);
    } else if (decoder && (b.name == "compress_time" || b.name == "compress_space" || b.name == "compress_all")) {
        b.kind = b.name == "compress_time"    ? VaeBlockKind::CompressTime
                 : b.name == "compress_space" ? VaeBlockKind::CompressSpace
                                              : VaeBlockKind::CompressAll;
        b.multiplier = params.integer("multiplier", 1);
        b.residual = params.boolean("residual", false);
        const int stride_volume = b.stride_volume();
        if (stride_volume % b.multiplier != 0)
            fail("{}: config entry '{}' has multiplier {}, expected a divisor of {}", source, what, b.multiplier,
                 stride_volume);
    } else if (!decoder &&
               (b.name == "compress_space_res" || b.name == "compress_time_res" || b.name == "compress_all_res")) {
        b.kind = b.name == "compress_space_res"  ? VaeBlockKind::CompressSpaceRes
                 : b.name == "compress_time_res" ? VaeBlockKind::CompressTimeRes
                                                 : VaeBlockKind::CompressAllRes;
        b.multiplier = params.integer("multiplier", 2);
    } else {
        fail("{}: config entry '{}' is an unsupported {} block \"{}\" (supported: {})", source, what,
             decoder ? "decoder" : "encoder", b.name,
             decoder ? "res_x, compress_time, compress_space, compress_all"
                     : "res_x, compress_space_res, compress_time_res, compress_all_res");
    }
    params.reject_unknown();
    return b;
}

std::vector<VaeBlockSpec> parse_blocks(const ConfigSection& vae, const std::string& key, bool decoder) {
    const json& list = vae.raw(key);
    if (!list.is_array() || list.empty()) vae.reject(key, list, "a non-empty list of blocks");
    std::vector<VaeBlockSpec> out;
    for (size_t i = 0; i < list.size(); ++i) out.push_back(parse_block(list.at(i), key, i, vae.source(), decoder));
    return out;
}

}  // namespace

int VaeBlockSpec::time_stride() const {
    switch (kind) {
        case VaeBlockKind::CompressTime:
        case VaeBlockKind::CompressAll:
        case VaeBlockKind::CompressTimeRes:
        case VaeBlockKind::CompressAllRes: return 2;
        default: return 1;
    }
}

int VaeBlockSpec::space_stride() const {
    switch (kind) {
        case VaeBlockKind::CompressSpace:
        case VaeBlockKind::CompressAll:
        case VaeBlockKind::CompressSpaceRes:
        case VaeBlockKind::CompressAllRes: return 2;
        default: return 1;
    }
}

int VideoVaeConfig::decoder_first_channels() const {
    int c = decoder_base_channels;
    for (const VaeBlockSpec& b : decoder_blocks)
        if (b.kind != VaeBlockKind::ResX) c *= b.multiplier;
    return c;
}

VideoVaeConfig parse_video_vae_config(const json& config, const std::string& source) {
    const ConfigSection vae = ConfigSection::of(config, "vae", source, true, "an LTX-2 video VAE checkpoint");

    const std::string cls = vae.string("_class_name", kConvVaeClass);
    if (cls != kConvVaeClass)
        fail("{}: config key 'vae._class_name' is \"{}\"; this build runs the convolutional video VAE (\"{}\") "
             "only",
             source, cls, kConvVaeClass);
    VideoVaeConfig c;
    if (vae.integer("dims", 3) != 3) vae.reject("dims", vae.raw("dims"), "3 (only 3-D convolutions are supported)");
    c.in_channels = vae.integer("in_channels", 3);
    c.out_channels = vae.integer("out_channels", 3);
    c.latent_channels = vae.integer("latent_channels", 128);
    c.decoder_base_channels = vae.integer("decoder_base_channels", c.latent_channels);
    c.patch_size = vae.integer("patch_size", 4);
    vae.choice("norm_layer", "pixel_norm", {"pixel_norm"});
    vae.choice("latent_log_var", "uniform", {"uniform"});
    c.causal_decoder = vae.boolean("causal_decoder", false);
    c.timestep_conditioning = vae.boolean("timestep_conditioning", true);
    c.encoder_padding = side_padding(vae, "encoder", "zeros");
    c.decoder_padding = side_padding(vae, "decoder", "reflect");
    c.encoder_blocks = parse_blocks(vae, "encoder_blocks", false);
    const std::vector<VaeBlockSpec> dec = parse_blocks(vae, "decoder_blocks", true);
    c.decoder_blocks.assign(dec.rbegin(), dec.rend());
    // Read by neither reference (the encoder's width starts at latent_channels).
    vae.known({"scaling_factor", "use_quant_conv", "normalize_latent_channels", "encoder_base_channels"});
    vae.reject_unknown();

    int width = c.decoder_first_channels();
    for (const VaeBlockSpec& b : c.decoder_blocks) {
        if (b.kind == VaeBlockKind::ResX) continue;
        const int volume = b.stride_volume();
        if (width % volume != 0)
            fail("{}: decoder {} block at width {} is not possible (the width must be a multiple of {})", source,
                 b.name, width, volume);
        width /= b.multiplier;
    }
    return c;
}

}  // namespace ltx2
