#include "models/diffvae/config.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/config_section.h"

namespace ltx2 {

namespace {

using nlohmann::json;

constexpr const char* kVaeClass = "CausalDiffusionVAE";
constexpr const char* kDecoderClass = "NADiffusionDecoder";

bool is_positive_int(const json& v) { return v.is_number_integer() && v.get<int64_t>() > 0 && v.get<int64_t>() < (1 << 30); }

Int3 int3(const ConfigSection& s, const std::string& key, const json& v) {
    if (!v.is_array() || v.size() != 3 || !is_positive_int(v[0]) || !is_positive_int(v[1]) || !is_positive_int(v[2]))
        s.reject(key, v, "three positive integers (time, height, width)");
    return {v[0].get<int>(), v[1].get<int>(), v[2].get<int>()};
}

std::vector<int> int_list(const ConfigSection& s, const std::string& key, std::vector<int> fallback) {
    const json& v = s.raw(key);
    if (v.is_null()) return fallback;
    bool ok = v.is_array() && v.size() == size_t(DiffVaeConfig::kStages);
    std::vector<int> out;
    if (ok)
        for (const json& e : v) {
            ok = ok && is_positive_int(e);
            if (ok) out.push_back(e.get<int>());
        }
    if (!ok) s.reject(key, v, fmt::format("a list of {} positive integers", DiffVaeConfig::kStages));
    return out;
}

std::vector<Int3> kernel_list(const ConfigSection& s, const std::string& key, std::vector<Int3> fallback) {
    const json& v = s.raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_array() || v.size() != size_t(DiffVaeConfig::kStages))
        s.reject(key, v, fmt::format("a list of {} kernels [t, h, w]", DiffVaeConfig::kStages));
    std::vector<Int3> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(int3(s, fmt::format("{}[{}]", key, i), v[i]));
    return out;
}

std::vector<DiffVaeUpsample> upsample_list(const ConfigSection& s, const std::string& key,
                                           std::vector<DiffVaeUpsample> fallback) {
    const json& v = s.raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_array() || v.size() != size_t(DiffVaeConfig::kStages - 1))
        s.reject(key, v, fmt::format("a list of {} entries [[t, h, w], reduction]", DiffVaeConfig::kStages - 1));
    std::vector<DiffVaeUpsample> out;
    for (size_t i = 0; i < v.size(); ++i) {
        const std::string name = fmt::format("{}[{}]", key, i);
        const json& e = v[i];
        if (!e.is_array() || e.size() != 2 || !is_positive_int(e[1]))
            s.reject(name, e, "[[t, h, w], reduction] with a positive integer reduction");
        DiffVaeUpsample u;
        u.stride = int3(s, name + "[0]", e[0]);
        for (int st : u.stride)
            if (st > 2) s.reject(name + "[0]", e[0], "strides of 1 or 2");
        u.reduction = e[1].get<int>();
        out.push_back(u);
    }
    return out;
}

// The reference class defaults (a CausalVideoAutoencoderL-shaped decoder).
const std::vector<int> kDefaultChannels{1024, 512, 256, 256, 128};
const std::vector<int> kDefaultDepths{4, 6, 4, 2, 8};
const std::vector<Int3> kDefaultKernels{{3, 7, 7}, {3, 7, 7}, {3, 5, 5}, {3, 5, 5}, {3, 3, 3}};
const std::vector<DiffVaeUpsample> kDefaultUpsamples{{{1, 2, 2}, 2}, {{2, 1, 1}, 2}, {{2, 2, 2}, 1}, {{2, 2, 2}, 2}};

void check_geometry(const DiffVaeConfig& c, const ConfigSection& dec) {
    const std::string& src = dec.source();
    for (size_t i = 0; i < c.stage_channels.size(); ++i)
        if (c.stage_channels[i] % c.head_dim != 0)
            fail("{}: config key '{}' has width {} at stage {}, expected a multiple of head_dim {}", src,
                 dec.full_key("stage_channels"), c.stage_channels[i], i, c.head_dim);
    if (c.stage5_channels % c.head_dim != 0)
        fail("{}: stage-5 width {} is not a multiple of head_dim {}", src, c.stage5_channels, c.head_dim);
    Int3 total{1, 1, 1};
    for (size_t i = 0; i < c.upsamples.size(); ++i) {
        const DiffVaeUpsample& u = c.upsamples[i];
        const int in = c.stage_channels[i];
        if (in % u.reduction != 0 || in / u.reduction != c.stage_channels[i + 1])
            fail("{}: config key '{}[{}]' reduces width {} by {}, expected a result equal to stage_channels[{}] = {}",
                 src, dec.full_key("upsamples"), i, in, u.reduction, i + 1, c.stage_channels[i + 1]);
        for (int a = 0; a < 3; ++a) total[size_t(a)] *= u.stride[size_t(a)];
    }
    if (total[0] != DiffVaeConfig::kTimeFactor || total[1] * c.patch_size != DiffVaeConfig::kSpaceFactor ||
        total[2] * c.patch_size != DiffVaeConfig::kSpaceFactor)
        fail("{}: config keys '{}' and '{}' give an overall scale of ({}, {}, {}), expected (8, 32, 32)", src,
             dec.full_key("upsamples"), dec.full_key("patch_size"), total[0], total[1] * c.patch_size,
             total[2] * c.patch_size);
}

}  // namespace

bool is_diffvae_config(const json& config) {
    if (!config.is_object() || !config.contains("vae") || !config["vae"].is_object()) return false;
    const json& vae = config["vae"];
    return vae.contains("_class_name") && vae["_class_name"] == kVaeClass;
}

DiffVaeConfig parse_diffvae_config(const json& config, const std::string& source) {
    const ConfigSection vae = ConfigSection::of(config, "vae", source, true, "an LTX-2.5 diffusion video VAE checkpoint");
    const std::string cls = vae.string("_class_name", "CausalVideoAutoencoder");
    if (cls != kVaeClass)
        fail("{}: config key 'vae._class_name' is \"{}\", expected \"{}\" (the diffusion video VAE)", source, cls,
             kVaeClass);
    DiffVaeConfig c;
    c.model_output_type = vae.choice("model_output_type", "v", {"v", "x0"});
    const int latent_channels = vae.integer("latent_channels", 128);
    vae.known({"encoder"});  // the conv encoder's settings
    const ConfigSection dec = vae.section("decoder", true);
    vae.reject_unknown();

    dec.choice("_class_name", kDecoderClass, {kDecoderClass});
    c.in_channels = dec.integer("in_channels", latent_channels);
    c.out_channels = dec.integer("out_channels", 3);
    c.patch_size = dec.integer("patch_size", 4);
    c.head_dim = dec.has("head_dim") ? dec.integer("head_dim", 64) : dec.integer("na_head_dim", 64);
    dec.known({"na_head_dim"});
    c.t_emb_dim = dec.integer("t_emb_dim", 384);
    c.num_inference_steps = dec.integer("default_num_inference_steps", 2);
    c.timestep_scale_multiplier = dec.number("timestep_scale_multiplier", 1.0);
    c.stage_channels = int_list(dec, "stage_channels", kDefaultChannels);
    c.stage_depths = int_list(dec, "stage_depths", kDefaultDepths);
    c.stage_kernels = kernel_list(dec, "stage_kernels", kDefaultKernels);
    c.upsamples = upsample_list(dec, "upsamples", kDefaultUpsamples);
    if (dec.has("stage5_kernel")) c.stage5_kernel = int3(dec, "stage5_kernel", dec.raw("stage5_kernel"));
    c.stage5_channels = dec.integer("stage5_channels", c.context_channels());
    dec.choice("resampler_kind", "linear", {"linear"});
    dec.known({"spatial_padding_mode"});  // not read by the reference: attention pads nothing
    dec.reject_unknown();

    if (c.head_dim % 8 != 0)
        dec.reject("head_dim", c.head_dim, "a multiple of 8 (the 3-axis RoPE split)");
    check_geometry(c, dec);
    if (c.num_inference_steps != 1 || c.model_output_type != "x0")
        fail("{}: config keys '{}' = {} and 'vae.model_output_type' = \"{}\": only the one-step x0 decoder "
             "(1, \"x0\": the bundled LTX-2.5 DiffVAE) is supported",
             source, dec.full_key("default_num_inference_steps"), c.num_inference_steps, c.model_output_type);
    return c;
}

}  // namespace ltx2
