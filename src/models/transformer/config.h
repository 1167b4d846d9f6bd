#pragma once
// The transformer's configuration, parsed from the `transformer` section of a checkpoint's
// `config` metadata with the reference configurator's defaults and fixed-value checks.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ops/rope.h"
#include "models/model_version.h"

namespace ltx2 {

enum class TransformerType { AudioVideo, VideoOnly };

// One stream (video or audio) of the transformer.
struct StreamConfig {
    int heads = 0;
    int head_dim = 0;
    int in_channels = 0;         // latent features per token (patch size 1)
    int out_channels = 0;
    int context_dim = 0;         // text-context width fed to attn2 (= stream width)
    std::vector<double> max_pos; // RoPE normaliser per position axis
    bool ff_bias = true;         // feed-forward linears have biases
    int dim() const { return heads * head_dim; }
};

struct TransformerConfig {
    TransformerType type = TransformerType::AudioVideo;
    int num_layers = 48;
    // Rows of the block AdaLN: 6, or 9 with cross_attention_adaln.
    int adaln_rows() const { return cross_attention_adaln ? 9 : 6; }
    int caption_channels = 3840;
    StreamConfig video;
    StreamConfig audio;  // meaningful only when has_audio()
    RopeLayout rope_layout = RopeLayout::Interleaved;
    bool float64_frequencies = false;
    double rope_theta = 10000.0;
    bool middle_indices = true;
    double timestep_scale_multiplier = 1000.0;
    double av_ca_timestep_scale_multiplier = 1.0;
    float norm_eps = 1e-6f;
    bool gated_attention = false;  // per-head output gates in every attention (LTX-2.3)
    // LTX-2.3: 9-row block AdaLN whose rows 6..8 modulate the text cross-attention query, and
    // (with prompt_adaln) prompt_adaln_single on the per-sample sigma modulating its key/value input.
    bool cross_attention_adaln = false;
    bool prompt_adaln = true;
    bool caption_projection = true;  // false: contexts arrive at stream width (LTX-2.3)
    // A learned [1, dim] vector added to the video tokens Modality::keyframes_mask marks, right
    // after the patchify projection (LTX-2.5: use_keyframes_abs_pos_embedding).
    bool keyframes_embedding = false;
    ModelSemantics semantics;        // which reference commit the computation follows

    bool has_audio() const { return type == TransformerType::AudioVideo; }
    // The block text cross-attention's key/value input is modulated by the prompt AdaLN of the
    // per-sample sigma: its K/V are exact only for the sigma they were computed with.
    bool text_kv_depends_on_sigma() const { return cross_attention_adaln && prompt_adaln; }
    // Modality.sigma is an input: for the prompt AdaLN, or for the other stream's AV gate.
    bool needs_sigma() const { return text_kv_depends_on_sigma() || (has_audio() && semantics.av_gate_from_other_sigma); }
    // Width of the AV cross-attention RoPE tables (audio_cross_attention_dim).
    int cross_rope_dim() const { return audio.context_dim; }
    // The AV cross-attention RoPE normaliser: max of both streams' time normalisers.
    double cross_max_pos() const;
    // RoPE settings for a table of the given width, head count and normalisers.
    RopeSpec rope_spec(int dim, int heads, std::vector<double> max_pos, bool middle) const;
};

// `config` is the whole `config` metadata object (the section "transformer" is read from it,
// as the reference configurator does). `source` names the file in error messages.
// The model type follows the keys present: any audio / AV key selects the audio+video model,
// none the video-only model (the reference's LTXVideoOnlyModelConfigurator).
// `semantics` comes from the checkpoint's model version (model_semantics()). Unknown keys of the
// section are refused (text-encoder keys and plain metadata excepted).
TransformerConfig parse_transformer_config(const nlohmann::json& config, const std::string& source,
                                           const ModelSemantics& semantics = {});

}  // namespace ltx2
