#pragma once
// The text stack of an LTX checkpoint after Gemma: the feature extractor its config selects
// (V1 for LTX-2 19B, V2 for LTX-2.3) and the video and audio embeddings connectors.
//
// For one left-padded prompt of T rows with V real tokens the reference reorders the rows to
// right padding (real rows first, in order), replaces the padding rows by the connector's
// registers and runs the connectors; the context mask it returns is all ones. Only the real
// rows' features matter, so they are all this computes: the features of padding rows are the
// projection of zero features (V1: 0, V2: the bias) and never reach the connectors.
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "core/precision.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/embeddings_connector.h"
#include "models/text_encoder/feature_extractor.h"
#include "models/text_encoder/feature_extractor_v2.h"

namespace ltx2 {

class EmbeddingsProcessor {
public:
    // Opens kFeatureExtractorPrefix and both connector prefixes of the checkpoint.
    static EmbeddingsProcessor load(const std::string& ltx_checkpoint, Precision precision);
    // From stores opened with those prefixes (the config is the feature extractor store's).
    static EmbeddingsProcessor load(const WeightStore& feature_extractor, const WeightStore& video_connector,
                                    const WeightStore& audio_connector, Precision precision);

    // The feature extractor takes its input width from its stored weights: a synthetic store
    // (WeightStore::synthetic) gets them created here for `in_features` = D·(L+1) of a Gemma.
    static void create_projection_weights(const WeightStore& synthetic, const TextEncoderConfig& config,
                                          int64_t in_features);

    const TextEncoderConfig& config() const { return config_; }
    int64_t in_features() const;  // D · (L+1) the feature extractor takes

    // Features of the real rows [V, Wv], [V, Wa] from their L+1 hidden states [V, D] each
    // (V1: the one shared stream, the same tensor twice).
    StreamFeatures features(const std::vector<Tensor>& states) const;
    // What a padding row's features hold in the reference's padded layout: [Wv], [Wa] F32.
    StreamFeatures padding_features() const;
    // The connectors on the real rows' features, right-padded to `total_rows` with registers:
    // the contexts [T, Wv], [T, Wa] F32.
    StreamFeatures contexts(const StreamFeatures& real, int64_t total_rows) const;
    // The context mask the reference returns with the contexts: [1, T] I64, all ones.
    static Tensor context_mask(int64_t total_rows);

private:
    TextEncoderConfig config_;
    FeatureExtractor v1_;    // used when config_.feature_extractor is V1
    FeatureExtractorV2 v2_;  // used when V2
    EmbeddingsConnector video_connector_;
    EmbeddingsConnector audio_connector_;
};

}  // namespace ltx2
