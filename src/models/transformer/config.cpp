#include "models/transformer/config.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/config_section.h"
#include "models/text_encoder/config.h"

namespace ltx2 {

namespace {

using nlohmann::json;

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

TransformerConfig parse_transformer_config(const json& config, const std::string& source,
                                           const ModelSemantics& semantics) {
    const ConfigSection s = ConfigSection::of(config, "transformer", source);
    static const json kEmpty = json::object();
    const json& section = config.contains("transformer") ? config.at("transformer") : kEmpty;

    TransformerConfig c;
    c.semantics = semantics;
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
    // The video-only configurator carries the AV model's share_ff = false along without reading it.
    if (!c.has_audio() && s.boolean("share_ff", false))
        fail("{}: config key 'transformer.share_ff' is true, expected false", source);

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
    c.cross_attention_adaln = s.boolean("cross_attention_adaln", false);
    c.prompt_adaln = s.boolean("use_prompt_adaln_single", true);
    // With the projection before the connector the text encoder delivers contexts at stream
    // width and the transformer has no caption projection.
    c.caption_projection = !s.boolean("caption_proj_before_connector", false);
    c.video.ff_bias = s.boolean("ff_bias", true);
    c.keyframes_embedding = s.boolean("use_keyframes_abs_pos_embedding", false);

    c.video.heads = s.integer("num_attention_heads", 32);
    c.video.head_dim = s.integer("attention_head_dim", 128);
    c.video.in_channels = s.integer("in_channels", 128);
    c.video.out_channels = s.integer("out_channels", 128);
    c.video.context_dim = s.integer("cross_attention_dim", 4096);
    c.video.max_pos = s.numbers("positional_embedding_max_pos", {20, 2048, 2048}, 3);
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
        c.audio.max_pos = s.numbers("audio_positional_embedding_max_pos", {20}, 1);
        c.audio.ff_bias = s.boolean("audio_ff_bias", true);
        c.av_ca_timestep_scale_multiplier = s.number("av_ca_timestep_scale_multiplier", 1.0);
        if (c.audio.context_dim != c.audio.dim())
            fail("{}: config key 'transformer.audio_cross_attention_dim' is {}, expected the audio width "
                 "audio_num_attention_heads x audio_attention_head_dim = {}",
                 source, c.audio.context_dim, c.audio.dim());
    }

    if (c.semantics.is_ltx23() && c.has_audio() && c.video.heads != c.audio.heads)
        fail("{}: config keys 'transformer.num_attention_heads' ({}) and 'transformer.audio_num_attention_heads' ({}) "
             "differ; LTX-2.3 requires them equal",
             source, c.video.heads, c.audio.heads);

    // Keys of the text encoder (read by parse_text_encoder_config) and metadata no module reads.
    s.known(text_encoder_config_keys());
    s.known({"_class_name", "_diffusers_version", "norm_num_groups", "causal_temporal_positioning"});
    s.reject_unknown();

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
