#include "models/text_encoder/embeddings_processor.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"

namespace ltx2 {

namespace {

// The projection's output width `got` must be the connector width the config gives.
void check_width(const WeightStore& store, const char* tensor, int64_t got, int64_t expected, const char* what) {
    LTX2_CHECK(got == expected, "{}: tensor '{}{}' projects to {} features, but the config's {} is {}",
               store.describe(), kFeatureExtractorPrefix, tensor, got, what, expected);
}

}  // namespace

EmbeddingsProcessor EmbeddingsProcessor::load(const std::string& ltx_checkpoint, Precision precision) {
    return load(WeightStore::open(ltx_checkpoint, kFeatureExtractorPrefix),
                WeightStore::open(ltx_checkpoint, kVideoConnectorPrefix),
                WeightStore::open(ltx_checkpoint, kAudioConnectorPrefix), precision);
}

EmbeddingsProcessor EmbeddingsProcessor::load(const WeightStore& fe_store, const WeightStore& video_store,
                                              const WeightStore& audio_store, Precision precision) {
    EmbeddingsProcessor p;
    p.config_ = parse_text_encoder_config(fe_store.config(), fe_store.describe());
    if (p.config_.feature_extractor == FeatureExtractorVersion::V1) {
        p.v1_ = FeatureExtractor::load(fe_store, precision);
        check_width(fe_store, "aggregate_embed.weight", p.v1_.out_features(), p.config_.caption_channels,
                    "caption_channels");
    } else {
        p.v2_ = FeatureExtractorV2::load(fe_store, precision);
        check_width(fe_store, "video_aggregate_embed.weight", p.v2_.video_width(), p.config_.video_width,
                    "video stream width (num_attention_heads x attention_head_dim)");
        check_width(fe_store, "audio_aggregate_embed.weight", p.v2_.audio_width(), p.config_.audio_width,
                    "audio stream width (audio_num_attention_heads x audio_attention_head_dim)");
    }
    p.video_connector_ = EmbeddingsConnector::load(video_store, p.config_.video_connector, precision);
    p.audio_connector_ = EmbeddingsConnector::load(audio_store, p.config_.audio_connector, precision);
    return p;
}

void EmbeddingsProcessor::create_projection_weights(const WeightStore& synthetic, const TextEncoderConfig& c,
                                                    int64_t in_features) {
    if (c.feature_extractor == FeatureExtractorVersion::V1) {
        (void)synthetic.get("aggregate_embed.weight", {c.caption_channels, in_features});
        return;
    }
    (void)synthetic.get("video_aggregate_embed.weight", {c.video_width, in_features});
    (void)synthetic.get("audio_aggregate_embed.weight", {c.audio_width, in_features});
}

int64_t EmbeddingsProcessor::in_features() const {
    return config_.feature_extractor == FeatureExtractorVersion::V1 ? v1_.in_features() : v2_.in_features();
}

StreamFeatures EmbeddingsProcessor::features(const std::vector<Tensor>& states) const {
    if (config_.feature_extractor == FeatureExtractorVersion::V2) return v2_.project(states);
    const Tensor shared = v1_.project(states);
    return {shared, shared};
}

StreamFeatures EmbeddingsProcessor::padding_features() const {
    if (config_.feature_extractor == FeatureExtractorVersion::V2)
        return v2_.padding_features();
    return {Tensor::zeros({v1_.out_features()}), Tensor::zeros({v1_.out_features()})};
}

StreamFeatures EmbeddingsProcessor::contexts(const StreamFeatures& real, int64_t total_rows) const {
    return {video_connector_.forward(real.video, total_rows).hidden_states,
            audio_connector_.forward(real.audio, total_rows).hidden_states};
}

Tensor EmbeddingsProcessor::context_mask(int64_t total_rows) {
    return Tensor::from_f32({1, total_rows}, std::vector<float>(static_cast<size_t>(total_rows), 1.0f)).to(DType::I64);
}

}  // namespace ltx2
