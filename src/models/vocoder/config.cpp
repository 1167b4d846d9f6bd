#include "models/vocoder/config.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/config_section.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// One integer of a list, `what` naming it ("vocoder.upsample_rates[2]").
int list_int(const ConfigSection& s, const std::string& what, const json& v, int min_value) {
    if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
        fail("{}: config key '{}' must be an integer, got {}", s.source(), what, v.dump());
    const double d = v.get<double>();
    if (d < min_value || d > 1e9)
        fail("{}: config key '{}' is {}, expected an integer >= {}", s.source(), what, v.dump(), min_value);
    return int(d);
}

std::vector<int> ints(const ConfigSection& s, const std::string& what, const json& v) {
    if (!v.is_array() || v.empty())
        fail("{}: config key '{}' must be a non-empty list of integers, got {}", s.source(), what, v.dump());
    std::vector<int> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(list_int(s, what + "[" + std::to_string(i) + "]", v[i], 1));
    return out;
}

std::vector<int> int_list(const ConfigSection& s, const std::string& key, const std::vector<int>& fallback) {
    const json& v = s.raw(key);
    return v.is_null() ? fallback : ints(s, s.full_key(key), v);
}

std::vector<std::vector<int>> int_lists(const ConfigSection& s, const std::string& key,
                                        const std::vector<std::vector<int>>& fallback) {
    const json& v = s.raw(key);
    if (v.is_null()) return fallback;
    if (!v.is_array() || v.empty())
        fail("{}: config key '{}' must be a non-empty list of integer lists, got {}", s.source(), s.full_key(key),
             v.dump());
    std::vector<std::vector<int>> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(ints(s, s.full_key(key) + "[" + std::to_string(i) + "]", v[i]));
    return out;
}

// The keys both generator forms share (Vocoder's constructor arguments in both references).
VocoderGeneratorConfig read_generator(const ConfigSection& s) {
    VocoderGeneratorConfig c;
    c.resblock_kernel_sizes = int_list(s, "resblock_kernel_sizes", c.resblock_kernel_sizes);
    c.upsample_rates = int_list(s, "upsample_rates", c.upsample_rates);
    c.upsample_kernel_sizes = int_list(s, "upsample_kernel_sizes", c.upsample_kernel_sizes);
    c.resblock_dilation_sizes = int_lists(s, "resblock_dilation_sizes", c.resblock_dilation_sizes);
    c.upsample_initial_channel = s.integer("upsample_initial_channel", c.upsample_initial_channel);
    return c;
}

void validate_generator(const VocoderGeneratorConfig& c, const ConfigSection& s) {
    const std::string& source = s.source();
    if (c.upsample_kernel_sizes.size() != c.upsample_rates.size())
        fail("{}: config keys '{}' ({} entries) and '{}' ({} entries) must have the same length", source,
             s.full_key("upsample_rates"), c.upsample_rates.size(), s.full_key("upsample_kernel_sizes"),
             c.upsample_kernel_sizes.size());
    if (c.resblock_dilation_sizes.size() != c.resblock_kernel_sizes.size())
        fail("{}: config keys '{}' ({} entries) and '{}' ({} entries) must have the same length", source,
             s.full_key("resblock_kernel_sizes"), c.resblock_kernel_sizes.size(), s.full_key("resblock_dilation_sizes"),
             c.resblock_dilation_sizes.size());
    for (size_t i = 0; i < c.upsample_rates.size(); ++i)
        if (c.upsample_kernel_sizes[i] < c.upsample_rates[i])
            fail("{}: config key '{}[{}]' is {}, expected >= its upsample rate {}", source,
                 s.full_key("upsample_kernel_sizes"), i, c.upsample_kernel_sizes[i], c.upsample_rates[i]);
    const size_t need = size_t(c.convs_per_resblock());
    const char* type = c.resblock == VocoderResBlock::Type1 ? "1" : c.resblock == VocoderResBlock::Type2 ? "2" : "AMP1";
    for (size_t j = 0; j < c.resblock_dilation_sizes.size(); ++j)
        if (c.resblock_dilation_sizes[j].size() < need)
            fail("{}: config key '{}[{}]' has {} entries, resblock type \"{}\" needs {}", source,
                 s.full_key("resblock_dilation_sizes"), j, c.resblock_dilation_sizes[j].size(), type, need);
    // AMP1 pads its convs by (k·d − d)/2 on both sides: only odd kernels keep the length.
    if (c.is_amp())
        for (size_t j = 0; j < c.resblock_kernel_sizes.size(); ++j)
            if (c.resblock_kernel_sizes[j] % 2 == 0)
                fail("{}: config key '{}[{}]' is {}, resblock \"AMP1\" needs odd kernel sizes", source,
                     s.full_key("resblock_kernel_sizes"), j, c.resblock_kernel_sizes[j]);
    if (c.upsample_rates.size() > 20 || c.stage_channels(c.num_upsamples()) < 1)
        fail("{}: config key '{}' is {}: halving it for each of the {} upsample stages leaves no channels", source,
             s.full_key("upsample_initial_channel"), c.upsample_initial_channel, c.upsample_rates.size());
    double factor = 1;
    for (int r : c.upsample_rates) factor *= r;
    if (factor > 1e6) fail("{}: config key '{}' multiplies to {}, too large", source, s.full_key("upsample_rates"), factor);
}

// The 19B flat section (@ 28c3c73: VocoderConfigurator.from_config).
VocoderGeneratorConfig parse_flat(const ConfigSection& s) {
    VocoderGeneratorConfig c = read_generator(s);
    c.stereo = s.boolean("stereo", c.stereo);
    // The reference compares the value with the string "1" and treats anything else as "2".
    const std::string resblock = s.choice("resblock", "1", {"1", "2"});
    c.resblock = resblock == "1" ? VocoderResBlock::Type1 : VocoderResBlock::Type2;
    c.output_sample_rate = s.integer("output_sample_rate", c.output_sample_rate);
    s.reject_unknown();
    validate_generator(c, s);
    return c;
}

// A BigVGAN-v2 generator of the nested form (@ 400fd31: _vocoder_from_config after the
// configurator's checks; the 2.3 model is stereo only).
VocoderGeneratorConfig parse_bigvgan(const ConfigSection& s) {
    VocoderGeneratorConfig c = read_generator(s);
    s.check("resblock", "AMP1");
    s.check("stereo", true, "the LTX-2.3 vocoder is stereo only");
    s.check("activation", "snakebeta");
    c.resblock = VocoderResBlock::Amp1;
    c.stereo = true;
    c.use_tanh_at_final = s.boolean("use_tanh_at_final", true);
    c.use_bias_at_final = s.boolean("use_bias_at_final", true);
    validate_generator(c, s);
    return c;
}

VocoderConfig parse_nested(const ConfigSection& root) {
    const ConfigSection voc = root.section("vocoder");
    const ConfigSection bwe = root.section("bwe", true);
    root.reject_unknown();

    VocoderConfig c;
    VocoderBweConfig b;
    // Required by the reference (read with [] there).
    auto required = [&](const std::string& key) {
        if (!bwe.has(key)) fail("{}: config key '{}' is missing (required with a 'bwe' section)", bwe.source(), bwe.full_key(key));
        return bwe.integer(key, 0);
    };
    b.input_sampling_rate = required("input_sampling_rate");
    b.output_sampling_rate = required("output_sampling_rate");
    b.hop_length = required("hop_length");
    b.n_fft = required("n_fft");
    b.num_mels = required("num_mels");

    c.vocoder = parse_bigvgan(voc);
    // The reference builds the first generator at the BWE input rate; a rate of its own is unused.
    c.vocoder.output_sample_rate = b.input_sampling_rate;
    voc.known({"output_sampling_rate", "output_sample_rate"});
    voc.reject_unknown();

    b.generator = parse_bigvgan(bwe);
    b.generator.apply_final_activation = false;  // the reference fixes it; the residual is not clamped
    // Not read by the reference: the window is whatever the stored STFT basis holds.
    bwe.known({"apply_final_activation", "win_size"});
    bwe.reject_unknown();

    if (b.output_sampling_rate % b.input_sampling_rate != 0)
        fail("{}: config keys '{}' ({}) and '{}' ({}): the output rate must be a whole multiple of the input rate",
             bwe.source(), bwe.full_key("output_sampling_rate"), b.output_sampling_rate,
             bwe.full_key("input_sampling_rate"), b.input_sampling_rate);
    if (b.num_mels != VocoderGeneratorConfig::kMelBins)
        fail("{}: config key '{}' is {}, expected {} (the BWE generator's conv_pre takes 2 x {} mel bins)",
             bwe.source(), bwe.full_key("num_mels"), b.num_mels, VocoderGeneratorConfig::kMelBins,
             VocoderGeneratorConfig::kMelBins);
    if (b.n_fft < 2 || b.n_fft % 2 != 0 || b.hop_length > b.n_fft)
        fail("{}: config keys '{}' ({}) and '{}' ({}): expected an even n_fft >= 2 and hop_length <= n_fft",
             bwe.source(), bwe.full_key("n_fft"), b.n_fft, bwe.full_key("hop_length"), b.hop_length);
    // The residual (one mel frame per hop) must line up with the resampled skip signal.
    if (b.generator.upsample_factor() != b.ratio() * b.hop_length)
        fail("{}: config key '{}' multiplies to {}, expected hop_length {} x output/input rate {} = {}", bwe.source(),
             bwe.full_key("upsample_rates"), b.generator.upsample_factor(), b.hop_length, b.ratio(),
             b.ratio() * b.hop_length);
    c.bwe = b;
    return c;
}

}  // namespace

int VocoderGeneratorConfig::upsample_factor() const {
    int f = 1;
    for (int r : upsample_rates) f *= r;
    return f;
}

int VocoderConfig::upsample_factor() const {
    const int f = vocoder.upsample_factor();
    return bwe ? f * bwe->ratio() : f;
}

VocoderConfig parse_vocoder_config(const json& config, const std::string& source) {
    const ConfigSection root = ConfigSection::of(config, "vocoder", source);
    if (root.has("bwe")) return parse_nested(root);
    VocoderConfig c;
    c.vocoder = parse_flat(root);
    return c;
}

}  // namespace ltx2
