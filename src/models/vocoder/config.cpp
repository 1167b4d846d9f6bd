#include "models/vocoder/config.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

namespace {

using nlohmann::json;

class Section {
public:
    Section(const json& section, const std::string& source) : s_(section), source_(source) {}

    bool has(const std::string& key) const { return s_.contains(key) && !s_.at(key).is_null(); }

    int as_int(const std::string& what, const json& v, int min_value) const {
        if (!v.is_number() || v.is_boolean() || v.get<double>() != std::floor(v.get<double>()))
            fail("{}: config key 'vocoder.{}' must be an integer, got {}", source_, what, v.dump());
        const double d = v.get<double>();
        if (d < min_value || d > 1e9)
            fail("{}: config key 'vocoder.{}' is {}, expected an integer >= {}", source_, what, v.dump(), min_value);
        return int(d);
    }

    int integer(const std::string& key, int fallback, int min_value = 1) const {
        return has(key) ? as_int(key, s_.at(key), min_value) : fallback;
    }

    std::vector<int> int_list(const std::string& key, const std::vector<int>& fallback, int min_value = 1) const {
        if (!has(key)) return fallback;
        return ints(key, s_.at(key), min_value);
    }

    std::vector<int> ints(const std::string& what, const json& v, int min_value) const {
        if (!v.is_array() || v.empty())
            fail("{}: config key 'vocoder.{}' must be a non-empty list of integers, got {}", source_, what, v.dump());
        std::vector<int> out;
        for (size_t i = 0; i < v.size(); ++i) out.push_back(as_int(what + "[" + std::to_string(i) + "]", v[i], min_value));
        return out;
    }

    std::vector<std::vector<int>> int_lists(const std::string& key, const std::vector<std::vector<int>>& fallback) const {
        if (!has(key)) return fallback;
        const json& v = s_.at(key);
        if (!v.is_array() || v.empty())
            fail("{}: config key 'vocoder.{}' must be a non-empty list of integer lists, got {}", source_, key, v.dump());
        std::vector<std::vector<int>> out;
        for (size_t i = 0; i < v.size(); ++i) out.push_back(ints(key + "[" + std::to_string(i) + "]", v[i], 1));
        return out;
    }

    bool boolean(const std::string& key, bool fallback) const {
        if (!has(key)) return fallback;
        const json& v = s_.at(key);
        if (!v.is_boolean()) fail("{}: config key 'vocoder.{}' must be true or false, got {}", source_, key, v.dump());
        return v.get<bool>();
    }

    VocoderResBlock resblock(const std::string& key) const {
        if (!has(key)) return VocoderResBlock::Type1;
        const json& v = s_.at(key);
        // The reference compares the value with the string "1" and treats anything else as "2".
        if (v.is_string() && v.get<std::string>() == "1") return VocoderResBlock::Type1;
        if (v.is_string() && v.get<std::string>() == "2") return VocoderResBlock::Type2;
        fail("{}: config key 'vocoder.{}' is {}, expected \"1\" or \"2\"", source_, key, v.dump());
    }

private:
    const json& s_;
    const std::string& source_;
};

}  // namespace

int VocoderConfig::upsample_factor() const {
    int f = 1;
    for (int r : upsample_rates) f *= r;
    return f;
}

VocoderConfig parse_vocoder_config(const json& config, const std::string& source) {
    static const json kEmpty = json::object();
    if (!config.is_object()) fail("{}: the `config` metadata must be a JSON object, got {}", source, config.dump());
    const json& section = config.contains("vocoder") && !config.at("vocoder").is_null() ? config.at("vocoder") : kEmpty;
    if (!section.is_object())
        fail("{}: config section 'vocoder' must be a JSON object, got {}", source, section.dump());
    const Section s(section, source);

    VocoderConfig c;
    c.resblock_kernel_sizes = s.int_list("resblock_kernel_sizes", c.resblock_kernel_sizes);
    c.upsample_rates = s.int_list("upsample_rates", c.upsample_rates);
    c.upsample_kernel_sizes = s.int_list("upsample_kernel_sizes", c.upsample_kernel_sizes);
    c.resblock_dilation_sizes = s.int_lists("resblock_dilation_sizes", c.resblock_dilation_sizes);
    c.upsample_initial_channel = s.integer("upsample_initial_channel", c.upsample_initial_channel);
    c.stereo = s.boolean("stereo", c.stereo);
    c.resblock = s.resblock("resblock");
    c.output_sample_rate = s.integer("output_sample_rate", c.output_sample_rate);

    if (c.upsample_kernel_sizes.size() != c.upsample_rates.size())
        fail("{}: config keys 'vocoder.upsample_rates' ({} entries) and 'vocoder.upsample_kernel_sizes' ({} entries) "
             "must have the same length",
             source, c.upsample_rates.size(), c.upsample_kernel_sizes.size());
    if (c.resblock_dilation_sizes.size() != c.resblock_kernel_sizes.size())
        fail("{}: config keys 'vocoder.resblock_kernel_sizes' ({} entries) and 'vocoder.resblock_dilation_sizes' ({} "
             "entries) must have the same length",
             source, c.resblock_kernel_sizes.size(), c.resblock_dilation_sizes.size());
    for (size_t i = 0; i < c.upsample_rates.size(); ++i)
        if (c.upsample_kernel_sizes[i] < c.upsample_rates[i])
            fail("{}: config key 'vocoder.upsample_kernel_sizes[{}]' is {}, expected >= its upsample rate {}", source, i,
                 c.upsample_kernel_sizes[i], c.upsample_rates[i]);
    const size_t need = size_t(c.convs_per_resblock());
    for (size_t j = 0; j < c.resblock_dilation_sizes.size(); ++j)
        if (c.resblock_dilation_sizes[j].size() < need)
            fail("{}: config key 'vocoder.resblock_dilation_sizes[{}]' has {} entries, resblock type \"{}\" needs {}",
                 source, j, c.resblock_dilation_sizes[j].size(), c.resblock == VocoderResBlock::Type1 ? "1" : "2",
                 need);
    if (c.upsample_rates.size() > 20 || c.stage_channels(c.num_upsamples()) < 1)
        fail("{}: config key 'vocoder.upsample_initial_channel' is {}: halving it for each of the {} upsample stages "
             "leaves no channels",
             source, c.upsample_initial_channel, c.upsample_rates.size());
    double factor = 1;
    for (int r : c.upsample_rates) factor *= r;
    if (factor > 1e6) fail("{}: config key 'vocoder.upsample_rates' multiplies to {}, too large", source, factor);
    return c;
}

}  // namespace ltx2
