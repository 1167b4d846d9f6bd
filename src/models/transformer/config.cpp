#include "models/transformer/config.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// Python's `==` on the JSON values the reference compares (numbers and booleans by value).
bool py_equal(const json& a, const json& b) {
    auto numeric = [](const json& v) { return v.is_number() || v.is_boolean(); };
    auto as_double = [](const json& v) { return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>(); };
    if (numeric(a) && numeric(b)) return as_double(a) == as_double(b);
    return a == b;
}

class Section {
public:
    Section(const json& section, const std::string& source) : s_(section), source_(source) {}

    bool has(const std::string& key) const { return s_.contains(key) && !s_.at(key).is_null(); }
    const json& at(const std::string& key) const { return s_.at(key); }

    // The reference's check_config_value: an absent key reads as null.
    void check(const std::string& key, const json& expected) const {
        json actual = s_.contains(key) ? s_.at(key) : json(nullptr);
        if (!py_equal(actual, expected))
            fail("{}: config key 'transformer.{}' is {}, expected {} (the only value LTX-2 supports)", source_, key,
                 actual.dump(), expected.dump());
    }

    int integer(const std::string& key, int fallback, int min_value = 1) const {
        if (!has(key)) return fallback;
        const json& v = at(key);
        if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()))
            fail("{}: config key 'transformer.{}' must be an integer, got {}", source_, key, v.dump());
        double d = v.get<double>();
        if (d < min_value || d > 1e9)
            fail("{}: config key 'transformer.{}' is {}, expected an integer >= {}", source_, key, v.dump(), min_value);
        return int(d);
    }

    double number(const std::string& key, double fallback, bool positive = true) const {
        if (!has(key)) return fallback;
        const json& v = at(key);
        if (!v.is_number()) fail("{}: config key 'transformer.{}' must be a number, got {}", source_, key, v.dump());
        double d = v.get<double>();
        if (positive && !(d > 0))
            fail("{}: config key 'transformer.{}' is {}, expected a positive number", source_, key, v.dump());
        return d;
    }

    bool boolean(const std::string& key, bool fallback) const {
        if (!has(key)) return fallback;
        const json& v = at(key);
        if (!v.is_boolean()) fail("{}: config key 'transformer.{}' must be true or false, got {}", source_, key, v.dump());
        return v.get<bool>();
    }

    std::string choice(const std::string& key, const std::string& fallback,
                       std::initializer_list<const char*> allowed) const {
        if (!has(key)) return fallback;
        const json& v = at(key);
        std::string names;
        for (const char* a : allowed) names += std::string(names.empty() ? "" : ", ") + "\"" + a + "\"";
        if (!v.is_string())
            fail("{}: config key 'transformer.{}' is {}, expected one of {}", source_, key, v.dump(), names);
        std::string s = v.get<std::string>();
        for (const char* a : allowed)
            if (s == a) return s;
        fail("{}: config key 'transformer.{}' has the unknown value \"{}\", expected one of {}", source_, key, s, names);
    }

    std::vector<double> positions(const std::string& key, std::vector<double> fallback, size_t n_axes) const {
        if (!has(key)) return fallback;
        const json& v = at(key);
        bool ok = v.is_array() && v.size() == n_axes;
        std::vector<double> out;
        if (ok)
            for (const json& e : v) {
                if (!e.is_number() || !(e.get<double>() > 0)) ok = false;
                else out.push_back(e.get<double>());
            }
        if (!ok)
            fail("{}: config key 'transformer.{}' is {}, expected a list of {} positive numbers", source_, key,
                 v.dump(), n_axes);
        return out;
    }

private:
    const json& s_;
    const std::string& source_;
};

// Keys whose presence marks the audio+video model (the video-only model has none of them).
bool mentions_audio(const json& section) {
    for (const auto& [key, value] : section.items())
        if (key.rfind("audio_", 0) == 0 || key.rfind("av_", 0) == 0 || key == "use_audio_video_cross_attention")
            return true;
    return false;
}

}  // namespace

double TransformerConfig::cross_max_pos() const { return std::max(video.max_pos.at(0), audio.max_pos.at(0)); }

RopeSpec TransformerConfig::rope_spec(int dim, int heads, std::vector<double> max_pos, bool middle) const {
    RopeSpec spec;
    spec.dim = dim;
    spec.heads = heads;
    spec.theta = rope_theta;
    spec.max_pos = std::move(max_pos);
    spec.layout = rope_layout;
    spec.float64_frequencies = float64_frequencies;
    spec.middle_indices = middle;
    return spec;
}

TransformerConfig parse_transformer_config(const json& config, const std::string& source) {
    if (!config.is_object()) fail("{}: the `config` metadata is not a JSON object", source);
    static const json kEmpty = json::object();
    const json& section = config.contains("transformer") ? config.at("transformer") : kEmpty;
    if (!section.is_object()) fail("{}: config key 'transformer' is not an object", source);
    Section s(section, source);

    TransformerConfig c;
    c.type = mentions_audio(section) ? TransformerType::AudioVideo : TransformerType::VideoOnly;

    // Fixed values (LTXModelConfigurator / LTXVideoOnlyModelConfigurator).
    s.check("dropout", 0.0);
    s.check("attention_bias", true);
    s.check("num_vector_embeds", nullptr);
    s.check("activation_fn", "gelu-approximate");
    s.check("num_embeds_ada_norm", 1000);
    s.check("use_linear_projection", false);
    s.check("only_cross_attention", false);
    s.check("cross_attention_norm", true);
    s.check("double_self_attention", false);
    s.check("upcast_attention", false);
    s.check("standardization_norm", "rms_norm");
    s.check("norm_elementwise_affine", false);
    s.check("qk_norm", "rms_norm");
    s.check("positional_embedding_type", "rope");
    if (c.has_audio()) {
        s.check("use_audio_video_cross_attention", true);
        s.check("share_ff", false);
        s.check("av_cross_ada_norm", true);
    }
    s.check("use_middle_indices_grid", true);

    c.num_layers = s.integer("num_layers", 48);
    c.caption_channels = s.integer("caption_channels", 3840);
    c.norm_eps = float(s.number("norm_eps", 1e-6));
    // Every attention backend of the reference computes the same softmax attention.
    s.choice("attention_type", "default", {"default", "pytorch", "xformers", "flash_attention_3"});
    c.rope_theta = s.number("positional_embedding_theta", 10000.0);
    c.timestep_scale_multiplier = s.number("timestep_scale_multiplier", 1000.0);
    c.middle_indices = s.boolean("use_middle_indices_grid", true);
    c.rope_layout = s.choice("rope_type", "interleaved", {"interleaved", "split"}) == "split" ? RopeLayout::Split
                                                                                            : RopeLayout::Interleaved;
    c.float64_frequencies = s.choice("frequencies_precision", "float32", {"float32", "float64"}) == "float64";
    c.gated_attention = s.boolean("apply_gated_attention", false);

    c.video.heads = s.integer("num_attention_heads", 32);
    c.video.head_dim = s.integer("attention_head_dim", 128);
    c.video.in_channels = s.integer("in_channels", 128);
    c.video.out_channels = s.integer("out_channels", 128);
    c.video.context_dim = s.integer("cross_attention_dim", 4096);
    c.video.max_pos = s.positions("positional_embedding_max_pos", {20, 2048, 2048}, 3);
    if (c.video.context_dim != c.video.dim())
        fail("{}: config key 'transformer.cross_attention_dim' is {}, expected the video width "
             "num_attention_heads x attention_head_dim = {}",
             source, c.video.context_dim, c.video.dim());

    if (c.has_audio()) {
        c.audio.heads = s.integer("audio_num_attention_heads", 32);
        c.audio.head_dim = s.integer("audio_attention_head_dim", 64);
        c.audio.in_channels = s.integer("audio_in_channels", 128);
        c.audio.out_channels = s.integer("audio_out_channels", 128);
        c.audio.context_dim = s.integer("audio_cross_attention_dim", 2048);
        c.audio.max_pos = s.positions("audio_positional_embedding_max_pos", {20}, 1);
        c.av_ca_timestep_scale_multiplier = s.number("av_ca_timestep_scale_multiplier", 1.0);
        if (c.audio.context_dim != c.audio.dim())
            fail("{}: config key 'transformer.audio_cross_attention_dim' is {}, expected the audio width "
                 "audio_num_attention_heads x audio_attention_head_dim = {}",
                 source, c.audio.context_dim, c.audio.dim());
    }

    if (c.rope_layout == RopeLayout::Split) {
        auto check_split = [&](int dim, int heads, const char* what) {
            if ((dim / 2) % heads != 0 || dim % 2 != 0)
                fail("{}: split RoPE needs {} width {} to divide into {} heads of even size", source, what, dim, heads);
        };
        check_split(c.video.dim(), c.video.heads, "the video");
        if (c.has_audio()) {
            check_split(c.audio.dim(), c.audio.heads, "the audio");
            check_split(c.cross_rope_dim(), c.video.heads, "the AV cross-attention");
        }
    }
    return c;
}

}  // namespace ltx2
