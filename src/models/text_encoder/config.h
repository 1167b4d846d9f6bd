#pragma once
// Settings of LTX's text-conditioning stack (feature extractor + video/audio embeddings
// connectors), read from the `transformer` section of the LTX checkpoint's `config` metadata.
// The 19B reference (28c3c73) hard-codes the 19B sizes; we read them from the config and fall
// back to the 19B values for keys a checkpoint omits. LTX-2.3 files select the second feature
// extractor and give the audio connector its own width.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ops/rope.h"

namespace ltx2 {

// Official key prefixes of the components inside the LTX checkpoint.
inline constexpr const char* kFeatureExtractorPrefix = "text_embedding_projection.";
inline constexpr const char* kVideoConnectorPrefix = "model.diffusion_model.video_embeddings_connector.";
inline constexpr const char* kAudioConnectorPrefix = "model.diffusion_model.audio_embeddings_connector.";

// How the Gemma hidden states become connector inputs.
enum class FeatureExtractorVersion {
    // 19B: per-state mean / range over the real tokens, one projection without bias to
    // caption_channels shared by both streams (the transformer projects it further).
    V1,
    // LTX-2.3: per-token RMS, one projection with bias per stream, straight to stream width.
    V2,
};

// One embeddings connector (the video and the audio one may differ in width).
struct ConnectorConfig {
    int heads = 30;
    int head_dim = 128;
    int layers = 2;
    int registers = 128;  // learnable registers replacing the padding rows
    bool gated_attention = false;
    double max_pos = 4096;  // RoPE position normaliser of the 1-D positions
    double rope_theta = 10000.0;
    RopeLayout rope_layout = RopeLayout::Split;
    bool float64_frequencies = true;
    float norm_eps = 1e-6f;

    int width() const { return heads * head_dim; }
    RopeSpec rope_spec() const;  // for [1, 1, T] positions 0..T−1
};

struct TextEncoderConfig {
    int caption_channels = 3840;  // V1: width of the shared feature stream (= both connectors' width)
    FeatureExtractorVersion feature_extractor = FeatureExtractorVersion::V1;
    // Widths of the video / audio contexts the connectors take and return: V1 caption_channels
    // for both; V2 the transformer's video / audio stream widths.
    int video_width = 3840;
    int audio_width = 3840;
    ConnectorConfig video_connector;
    ConnectorConfig audio_connector;
    bool use_embeddings_connector = true;  // recorded only: the reference runs the connectors regardless
};

// The `transformer`-section keys the text encoder reads (the transformer's parser accepts them).
const std::vector<std::string>& text_encoder_config_keys();

// `config` is the whole `config` metadata object; `source` names the file in messages.
TextEncoderConfig parse_text_encoder_config(const nlohmann::json& config, const std::string& source);

}  // namespace ltx2
