#include "models/text_encoder/config.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/config_section.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// The second feature extractor is selected by these keys, and only with exactly these values
// (the projection runs before the connectors and the transformer has no caption projection).
const std::array<std::pair<const char*, bool>, 4> kV2Keys = {{{"caption_proj_before_connector", true},
                                                              {"caption_projection_first_linear", false},
                                                              {"caption_projection_second_linear", false},
                                                              {"caption_proj_input_norm", false}}};

// V1 when none of the V2 keys is given, V2 when all are given with their V2 values; any other
// combination is refused, naming the keys.
FeatureExtractorVersion feature_extractor_version(const ConfigSection& s) {
    std::string missing, wrong;
    int present = 0;
    for (const auto& [key, value] : kV2Keys) {
        if (!s.has(key)) {
            missing += fmt::format("{}'{}'", missing.empty() ? "" : ", ", s.full_key(key));
            continue;
        }
        ++present;
        const json& v = s.raw(key);
        if (v != json(value)) wrong += fmt::format("{}'{}' is {} (expected {})", wrong.empty() ? "" : ", ", s.full_key(key), v.dump(), value);
    }
    if (present == 0) return FeatureExtractorVersion::V1;
    if (!missing.empty())
        fail("{}: a partial text feature extractor V2 configuration: missing config key(s) {} (the projection before "
             "the connectors needs all four keys)",
             s.source(), missing);
    if (!wrong.empty())
        fail("{}: unsupported text feature extractor configuration: {}; only the LTX-2.3 projection before the "
             "connectors is supported",
             s.source(), wrong);
    return FeatureExtractorVersion::V2;
}

// A stream width heads x head_dim of the transformer (V2 projects straight to it).
int stream_width(const ConfigSection& s, const char* heads_key, int heads, const char* dim_key, int dim) {
    return s.integer(heads_key, heads) * s.integer(dim_key, dim);
}

void check_connector(const ConnectorConfig& c, const ConfigSection& s, const char* heads_key, const char* dim_key,
                     int expected_width, const std::string& expected_what) {
    if (c.width() != expected_width)
        fail("{}: the {} are {} x {} = {} wide, but {} is {} (they must agree)", s.source(),
             std::string("embeddings connectors (") + heads_key + " x " + dim_key + ")", c.heads, c.head_dim,
             c.width(), expected_what, expected_width);
    if (c.head_dim % 2 != 0)
        fail("{}: config key '{}' is {}, expected an even number (RoPE rotates pairs)", s.source(), s.full_key(dim_key),
             c.head_dim);
}

}  // namespace

const std::vector<std::string>& text_encoder_config_keys() {
    static const std::vector<std::string> kKeys = {
        "caption_channels", "connector_num_attention_heads", "connector_attention_head_dim", "connector_num_layers",
        "connector_num_learnable_registers", "connector_apply_gated_attention",
        "connector_positional_embedding_max_pos", "use_embeddings_connector", "audio_connector_num_attention_heads",
        "audio_connector_attention_head_dim", "caption_proj_before_connector", "caption_projection_first_linear",
        "caption_projection_second_linear", "caption_proj_input_norm", "connector_ff_bias", "text_encoder_norm_type",
        "connector_norm_output", "connector_learnable_registers_std"};
    return kKeys;
}

RopeSpec ConnectorConfig::rope_spec() const {
    RopeSpec spec;
    spec.dim = width();
    spec.heads = heads;
    spec.theta = rope_theta;
    spec.max_pos = {max_pos};
    spec.layout = rope_layout;
    spec.float64_frequencies = float64_frequencies;
    spec.middle_indices = false;  // plain row indices, no [start, end) bounds
    return spec;
}

TextEncoderConfig parse_text_encoder_config(const nlohmann::json& config, const std::string& source) {
    // Unknown keys are the transformer parser's to refuse: it owns the `transformer` section.
    const ConfigSection s = ConfigSection::of(config, "transformer", source);

    ConnectorConfig v;  // the video connector; the audio one differs only in width
    v.heads = s.integer("connector_num_attention_heads", v.heads);
    v.head_dim = s.integer("connector_attention_head_dim", v.head_dim);
    v.layers = s.integer("connector_num_layers", v.layers);
    v.registers = s.integer("connector_num_learnable_registers", v.registers);
    v.gated_attention = s.boolean("connector_apply_gated_attention", v.gated_attention);
    v.max_pos = s.numbers("connector_positional_embedding_max_pos", {v.max_pos}, 1)[0];
    v.rope_theta = s.number("positional_embedding_theta", v.rope_theta);
    if (v.rope_theta == 1.0) s.reject("positional_embedding_theta", s.raw("positional_embedding_theta"), "a number other than 1");
    v.rope_layout = s.choice("rope_type", "split", {"split", "interleaved"}) == "split" ? RopeLayout::Split
                                                                                     : RopeLayout::Interleaved;
    v.float64_frequencies = s.choice("frequencies_precision", "float64", {"float64", "float32"}) == "float64";
    v.norm_eps = float(s.number("norm_eps", v.norm_eps));
    if (!s.boolean("connector_ff_bias", true))
        s.reject("connector_ff_bias", false, "true (connector feed-forwards without biases are not supported)");

    ConnectorConfig a = v;
    a.heads = s.integer("audio_connector_num_attention_heads", v.heads);
    a.head_dim = s.integer("audio_connector_attention_head_dim", v.head_dim);

    TextEncoderConfig c;
    c.caption_channels = s.integer("caption_channels", c.caption_channels);
    c.use_embeddings_connector = s.boolean("use_embeddings_connector", c.use_embeddings_connector);
    c.feature_extractor = feature_extractor_version(s);
    c.video_connector = v;
    c.audio_connector = a;
    if (c.feature_extractor == FeatureExtractorVersion::V1) {
        c.video_width = c.audio_width = c.caption_channels;
        check_connector(v, s, "connector_num_attention_heads", "connector_attention_head_dim", c.caption_channels,
                        "caption_channels");
        check_connector(a, s, "audio_connector_num_attention_heads", "audio_connector_attention_head_dim",
                        c.caption_channels, "caption_channels");
    } else {
        c.video_width = stream_width(s, "num_attention_heads", 32, "attention_head_dim", 128);
        c.audio_width = stream_width(s, "audio_num_attention_heads", 32, "audio_attention_head_dim", 64);
        check_connector(v, s, "connector_num_attention_heads", "connector_attention_head_dim", c.video_width,
                        "the video stream width num_attention_heads x attention_head_dim");
        check_connector(a, s, "audio_connector_num_attention_heads", "audio_connector_attention_head_dim",
                        c.audio_width, "the audio stream width audio_num_attention_heads x audio_attention_head_dim");
    }
    return c;
}

}  // namespace ltx2
