// Text feature extractors, embeddings connectors and the embeddings processor on golden inputs,
// computed on the real rows only.
// ltx2.* (LTX-2 19B, golden text/README 5): |error| ≤ 2e-5·max(1, absmax); compare() measures
// error / absmax, so 2e-5 is that bound or a stricter one (absmax < 1).
// ltx23.* (LTX-2.3, golden ltx23/text/README 4): max |err| / max |ref| ≤ 1e-5; context mask exact.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/text_encoder/embeddings_connector.h"
#include "models/text_encoder/embeddings_processor.h"
#include "models/text_encoder/feature_extractor.h"
#include "models/text_encoder/feature_extractor_v2.h"
#include "models/text_encoder/padding.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

constexpr double kTol = 2e-5;
constexpr double kTol23 = 1e-5;

void require_float32(const ParityRun& run) {
    if (run.has_meta("compute_dtype") && run.meta("compute_dtype") != "float32")
        fail("{}: compute_dtype '{}' is not supported, expected float32", run.io_path(), run.meta("compute_dtype"));
}

// The last V rows of a [1, T, D] input.
Tensor real_rows(const Tensor& padded, int64_t V, const std::string& what) {
    LTX2_CHECK(padded.dim() == 3 && padded.size(0) == 1 && padded.size(1) >= V,
               "{}: shape {}, expected [1, T, D] with T >= {}", what, shape_str(padded.shape()), V);
    const int64_t T = padded.size(1);
    return padded.select(0, 0).slice(0, T - V, T);
}

// [1, T, W]: zero padding rows, then `rows` [V, W] (the reference's layout of left-padded outputs).
Tensor left_padded(const Tensor& rows, int64_t T) { return left_padded_rows(rows, Tensor::zeros({rows.size(1)}), T); }

// The real rows of the L+1 left-padded hidden states `in.hidden_state.{l}`.
std::vector<Tensor> real_states(const ParityRun& run, int64_t V) {
    std::vector<Tensor> states;
    for (int l = 0; run.has("in.hidden_state." + std::to_string(l)); ++l) {
        const std::string name = "in.hidden_state." + std::to_string(l);
        states.push_back(real_rows(run.input(name), V, run.io_path() + ": " + name));
    }
    return states;
}

TextEncoderConfig text_config(const WeightStore& store) { return parse_text_encoder_config(store.config(), store.describe()); }

void require_version(const ParityRun& run, const TextEncoderConfig& config, FeatureExtractorVersion expected,
                     const std::string& source) {
    if (config.feature_extractor != expected)
        fail("{}: the fixture is for the {} text stack, but the config of {} selects feature extractor {}",
             run.io_path(), expected == FeatureExtractorVersion::V2 ? "LTX-2.3 (V2)" : "LTX-2 19B (V1)", source,
             config.feature_extractor == FeatureExtractorVersion::V2 ? "V2" : "V1");
}

// The connector a `weight_prefix` names, with its config, checked against the fixture's `heads`.
EmbeddingsConnector load_connector(const ParityRun& run) {
    const std::string prefix = run.meta("weight_prefix");
    const WeightStore store = WeightStore::open(run.model_path("weights"), prefix);
    const TextEncoderConfig config = text_config(store);
    LTX2_CHECK(prefix == kVideoConnectorPrefix || prefix == kAudioConnectorPrefix,
               "{}: weight_prefix '{}' is neither '{}' nor '{}'", run.io_path(), prefix, kVideoConnectorPrefix,
               kAudioConnectorPrefix);
    const ConnectorConfig& c = prefix == kVideoConnectorPrefix ? config.video_connector : config.audio_connector;
    if (run.has_meta("heads") && run.meta("heads") != std::to_string(c.heads))
        fail("{}: the fixture was made with {} heads, but {} configures {}", run.io_path(), run.meta("heads"),
             store.describe(), c.heads);
    return EmbeddingsConnector::load(store, c, Precision::F32);
}

}  // namespace

void parity_ltx2_feature_extractor(ParityRun& run) {
    require_float32(run);
    const WeightStore store = WeightStore::open(run.model_path("weights"), kFeatureExtractorPrefix);
    const FeatureExtractor fe = FeatureExtractor::load(store, Precision::F32);

    const Tensor mask = run.input("in.attention_mask");
    const int64_t V = left_padded_real_rows(mask, run.io_path() + ": in.attention_mask");
    const int64_t T = mask.size(-1);
    const std::vector<Tensor> states = real_states(run, V);
    run.compare("out.normed_concat", left_padded(fe.normalized_features(states), T), kTol);
    run.compare("out.projected", left_padded(fe.project(states), T), kTol);
}

void parity_ltx2_embeddings_connector(ParityRun& run) {
    require_float32(run);
    const EmbeddingsConnector connector = load_connector(run);

    const Tensor mask = run.input("in.attention_mask");
    const int64_t V = left_padded_real_rows(mask, run.io_path() + ": in.attention_mask");
    const int64_t T = mask.size(-1);
    if (run.has("in.additive_mask")) {
        // The reference's own input: real rows are those with an additive value ≥ −9000.
        const std::vector<float> additive = host_values(run.input("in.additive_mask")), binary = host_values(mask);
        LTX2_CHECK(additive.size() == binary.size(), "{}: in.additive_mask has {} values, in.attention_mask {}",
                   run.io_path(), additive.size(), binary.size());
        for (size_t t = 0; t < additive.size(); ++t)
            LTX2_CHECK((additive[t] >= -9000.f) == (binary[t] == 1.f),
                       "{}: in.additive_mask ({}) and in.attention_mask ({}) disagree at row {}", run.io_path(),
                       additive[t], binary[t], t);
    }

    const ConnectorTap tap = [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("out." + name, value, kTol);
    };
    const Tensor input = real_rows(run.input("in.hidden_states"), V, run.io_path() + ": in.hidden_states");
    const ConnectorOutput out = connector.forward(input, T, tap);
    run.compare("out.hidden_states", out.hidden_states, kTol);
    run.compare("out.additive_mask", out.additive_mask, kTol);
}

void parity_ltx23_feature_extractor(ParityRun& run) {
    require_float32(run);
    const WeightStore store = WeightStore::open(run.model_path("weights"), kFeatureExtractorPrefix);
    require_version(run, text_config(store), FeatureExtractorVersion::V2, store.describe());
    const FeatureExtractorV2 fe = FeatureExtractorV2::load(store, Precision::F32);

    const Tensor mask = run.input("in.attention_mask");
    const int64_t V = left_padded_real_rows(mask, run.io_path() + ": in.attention_mask");
    const int64_t T = mask.size(-1);
    const std::vector<Tensor> states = real_states(run, V);
    run.compare("out.normed_concat", left_padded(fe.normalized_features(states), T), kTol23);
    // Padding rows hold the projection of zero features: the bias.
    const StreamFeatures f = fe.project(states), padding = fe.padding_features();
    run.compare("out.video_features", left_padded_rows(f.video, padding.video, T), kTol23);
    run.compare("out.audio_features", left_padded_rows(f.audio, padding.audio, T), kTol23);
}

void parity_ltx23_embeddings_connector(ParityRun& run) {
    require_float32(run);
    const EmbeddingsConnector connector = load_connector(run);

    // The input is right-padded, as the embeddings processor hands it over: the rows with an
    // additive mask ≥ 0 first, then the padding rows (< 0) the registers replace.
    const std::vector<float> additive = host_values(run.input("in.additive_mask"));
    const int64_t T = int64_t(additive.size());
    int64_t V = 0;
    while (V < T && additive[size_t(V)] >= 0.f) ++V;
    for (int64_t t = V; t < T; ++t)
        LTX2_CHECK(additive[size_t(t)] < 0.f,
                   "{}: in.additive_mask is not right-padded: row {} is real after the padding row {}", run.io_path(),
                   t, V);
    const Tensor hidden = run.input("in.hidden_states");
    LTX2_CHECK(hidden.dim() == 3 && hidden.size(0) == 1 && hidden.size(1) == T,
               "{}: in.hidden_states has shape {}, expected [1, {}, C]", run.io_path(), shape_str(hidden.shape()), T);

    const ConnectorTap tap = [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, kTol23);
    };
    const ConnectorOutput out = connector.forward(hidden.select(0, 0).slice(0, 0, V), T, tap);
    run.compare("out.hidden_states", out.hidden_states.unsqueeze(0), kTol23);
    run.compare("out.additive_mask", out.additive_mask, 0.0);
}

void parity_ltx23_embeddings_processor(ParityRun& run) {
    require_float32(run);
    const std::string weights = run.model_path("weights");
    const EmbeddingsProcessor processor = EmbeddingsProcessor::load(weights, Precision::F32);
    require_version(run, processor.config(), FeatureExtractorVersion::V2, weights);

    const Tensor mask = run.input("in.attention_mask");
    const int64_t V = left_padded_real_rows(mask, run.io_path() + ": in.attention_mask");
    const int64_t T = mask.size(-1);
    const StreamFeatures real = processor.features(real_states(run, V));
    const StreamFeatures padding = processor.padding_features();
    run.compare_if_present("dbg.video_features", left_padded_rows(real.video, padding.video, T), kTol23);
    run.compare_if_present("dbg.audio_features", left_padded_rows(real.audio, padding.audio, T), kTol23);
    const StreamFeatures contexts = processor.contexts(real, T);
    run.compare("out.video_context", contexts.video.unsqueeze(0), kTol23);
    run.compare("out.audio_context", contexts.audio.unsqueeze(0), kTol23);
    run.compare("out.context_mask", EmbeddingsProcessor::context_mask(T).to(DType::F32), 0.0);
}

}  // namespace ltx2
