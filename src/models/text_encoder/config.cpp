#include "models/text_encoder/config.h"

#include <cmath>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// Typed reads of `transformer.KEY` with a fallback for absent (or null) keys.
class KeyReader {
public:
    KeyReader(const json& section, const std::string& source) : section_(section), source_(source) {}

    int positive_int(const char* key, int fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        const bool integral = v->is_number() && std::floor(v->get<double>()) == v->get<double>();
        if (!integral || v->get<double>() < 1 || v->get<double>() > 1e8) reject(key, *v, "a positive integer");
        return int(v->get<double>());
    }

    double positive_number(const char* key, double fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_number() || !(v->get<double>() > 0) || !std::isfinite(v->get<double>()))
            reject(key, *v, "a positive number");
        return v->get<double>();
    }

    bool flag(const char* key, bool fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_boolean()) reject(key, *v, "true or false");
        return v->get<bool>();
    }

    std::string one_of(const char* key, const char* fallback, std::initializer_list<const char*> allowed) const {
        const json* v = find(key);
        if (!v) return fallback;
        std::string expected = "one of";
        for (const char* a : allowed) {
            expected += fmt::format(" \"{}\"", a);
            if (v->is_string() && v->get<std::string>() == a) return a;
        }
        reject(key, *v, expected);
    }

    // A one-element list of a positive number (the connector's positions are 1-D).
    double single_position(const char* key, double fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_array() || v->size() != 1 || !(*v)[0].is_number() || !((*v)[0].get<double>() > 0))
            reject(key, *v, "a list of one positive number");
        return (*v)[0].get<double>();
    }

    [[noreturn]] void reject(const char* key, const json& value, const std::string& expected) const {
        fail("{}: config key 'transformer.{}' is {}, expected {}", source_, key, value.dump(), expected);
    }

private:
    const json* find(const char* key) const {
        auto it = section_.find(key);
        return it == section_.end() || it->is_null() ? nullptr : &*it;
    }
    const json& section_;
    const std::string& source_;
};

}  // namespace

const std::vector<std::string>& text_encoder_config_keys() {
    static const std::vector<std::string> kKeys = {
        "caption_channels", "connector_num_attention_heads", "connector_attention_head_dim", "connector_num_layers",
        "connector_num_learnable_registers", "connector_apply_gated_attention",
        "connector_positional_embedding_max_pos", "use_embeddings_connector", "audio_connector_num_attention_heads",
        "audio_connector_attention_head_dim", "caption_proj_before_connector", "caption_projection_first_linear",
        "caption_projection_second_linear", "caption_proj_input_norm", "text_encoder_norm_type",
        "connector_norm_output", "connector_learnable_registers_std"};
    return kKeys;
}

RopeSpec TextEncoderConfig::connector_rope_spec() const {
    RopeSpec spec;
    spec.dim = connector_width();
    spec.heads = connector_heads;
    spec.theta = rope_theta;
    spec.max_pos = {connector_max_pos};
    spec.layout = rope_layout;
    spec.float64_frequencies = float64_frequencies;
    spec.middle_indices = false;  // plain row indices, no [start, end) bounds
    return spec;
}

TextEncoderConfig parse_text_encoder_config(const nlohmann::json& config, const std::string& source) {
    if (!config.is_object()) fail("{}: the `config` metadata is not a JSON object", source);
    static const json kEmpty = json::object();
    const json& section = config.contains("transformer") ? config.at("transformer") : kEmpty;
    if (!section.is_object()) fail("{}: config key 'transformer' is not an object", source);
    const KeyReader r(section, source);

    TextEncoderConfig c;
    c.caption_channels = r.positive_int("caption_channels", c.caption_channels);
    c.connector_heads = r.positive_int("connector_num_attention_heads", c.connector_heads);
    c.connector_head_dim = r.positive_int("connector_attention_head_dim", c.connector_head_dim);
    c.connector_layers = r.positive_int("connector_num_layers", c.connector_layers);
    c.connector_registers = r.positive_int("connector_num_learnable_registers", c.connector_registers);
    c.connector_gated_attention = r.flag("connector_apply_gated_attention", c.connector_gated_attention);
    c.connector_max_pos = r.single_position("connector_positional_embedding_max_pos", c.connector_max_pos);
    c.rope_theta = r.positive_number("positional_embedding_theta", c.rope_theta);
    if (c.rope_theta == 1.0)
        r.reject("positional_embedding_theta", section.at("positional_embedding_theta"), "a number other than 1");
    c.rope_layout = r.one_of("rope_type", "split", {"split", "interleaved"}) == "split" ? RopeLayout::Split
                                                                                      : RopeLayout::Interleaved;
    c.float64_frequencies = r.one_of("frequencies_precision", "float64", {"float64", "float32"}) == "float64";
    c.norm_eps = float(r.positive_number("norm_eps", c.norm_eps));
    c.use_embeddings_connector = r.flag("use_embeddings_connector", c.use_embeddings_connector);

    const int64_t width = int64_t(c.connector_heads) * c.connector_head_dim;
    if (width != c.caption_channels)
        fail("{}: the embeddings connectors are connector_num_attention_heads x connector_attention_head_dim = "
             "{} x {} = {} wide, but caption_channels is {} (they must agree)",
             source, c.connector_heads, c.connector_head_dim, width, c.caption_channels);
    if (c.connector_head_dim % 2 != 0)
        fail("{}: config key 'transformer.connector_attention_head_dim' is {}, expected an even number (RoPE rotates "
             "pairs)",
             source, c.connector_head_dim);
    return c;
}

}  // namespace ltx2
