#pragma once
// Settings of LTX-2's text-conditioning stack (feature extractor + video/audio embeddings
// connectors), read from the `transformer` section of the LTX checkpoint's `config` metadata.
// The reference (28c3c73) hard-codes the 19B sizes; we read them from the config and fall back
// to the 19B values for keys a checkpoint omits.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kernels/cpu/rope.h"

namespace ltx2 {

// Official key prefixes of the components inside the LTX checkpoint.
inline constexpr const char* kFeatureExtractorPrefix = "text_embedding_projection.";
inline constexpr const char* kVideoConnectorPrefix = "model.diffusion_model.video_embeddings_connector.";
inline constexpr const char* kAudioConnectorPrefix = "model.diffusion_model.audio_embeddings_connector.";

struct TextEncoderConfig {
    int caption_channels = 3840;    // width of the text contexts (projection output = connector width)
    int connector_heads = 30;
    int connector_head_dim = 128;
    int connector_layers = 2;
    int connector_registers = 128;  // learnable registers replacing the padding rows
    bool connector_gated_attention = false;
    double connector_max_pos = 4096;  // RoPE position normaliser of the 1-D positions
    double rope_theta = 10000.0;
    RopeLayout rope_layout = RopeLayout::Split;
    bool float64_frequencies = true;
    float norm_eps = 1e-6f;
    bool use_embeddings_connector = true;  // recorded only: the reference runs the connectors regardless

    int connector_width() const { return connector_heads * connector_head_dim; }
    RopeSpec connector_rope_spec() const;  // for [1, 1, T] positions 0..T−1
};

// The `transformer`-section keys the text encoder reads (the transformer's parser accepts them).
const std::vector<std::string>& text_encoder_config_keys();

// `config` is the whole `config` metadata object; `source` names the file in messages.
TextEncoderConfig parse_text_encoder_config(const nlohmann::json& config, const std::string& source);

}  // namespace ltx2
