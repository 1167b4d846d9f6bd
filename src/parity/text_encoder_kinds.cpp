// ltx2.feature_extractor / ltx2.embeddings_connector: LTX-2's text feature extractor and one
// embeddings connector on left-padded golden inputs, computed on the real rows only.
// Tolerance (README 5): |error| ≤ 2e-5·max(1, absmax); compare() measures error / absmax, so
// 2e-5 is that bound or a stricter one (absmax < 1).
#include <string>
#include <vector>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/text_encoder/embeddings_connector.h"
#include "models/text_encoder/feature_extractor.h"
#include "models/text_encoder/padding.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

constexpr double kTol = 2e-5;

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
Tensor left_padded(const Tensor& rows, int64_t T) {
    const int64_t V = rows.size(0);
    Tensor out = Tensor::zeros({1, T, rows.size(1)});
    out.select(0, 0).slice(0, T - V, T).copy_from(rows);
    return out;
}

}  // namespace

void parity_ltx2_feature_extractor(ParityRun& run) {
    require_float32(run);
    const WeightStore store = WeightStore::open(run.model_path("weights"), kFeatureExtractorPrefix);
    const FeatureExtractor fe = FeatureExtractor::load(store, Precision::F32);

    const Tensor mask = run.input("in.attention_mask");
    const int64_t V = left_padded_real_rows(mask, run.io_path() + ": in.attention_mask");
    const int64_t T = mask.size(-1);
    std::vector<Tensor> states;
    for (int l = 0; run.has("in.hidden_state." + std::to_string(l)); ++l) {
        const std::string name = "in.hidden_state." + std::to_string(l);
        states.push_back(real_rows(run.input(name), V, run.io_path() + ": " + name));
    }
    run.compare("out.normed_concat", left_padded(fe.normalized_features(states), T), kTol);
    run.compare("out.projected", left_padded(fe.project(states), T), kTol);
}

void parity_ltx2_embeddings_connector(ParityRun& run) {
    require_float32(run);
    const WeightStore store = WeightStore::open(run.model_path("weights"), run.meta("weight_prefix"));
    const TextEncoderConfig config = parse_text_encoder_config(store.config(), store.describe());
    if (run.has_meta("heads") && run.meta("heads") != std::to_string(config.connector_heads))
        fail("{}: the fixture was made with {} heads, but {} configures {}", run.io_path(), run.meta("heads"),
             store.describe(), config.connector_heads);
    const EmbeddingsConnector connector = EmbeddingsConnector::load(store, config, Precision::F32);

    const Tensor mask = run.input("in.attention_mask");
    const int64_t V = left_padded_real_rows(mask, run.io_path() + ": in.attention_mask");
    const int64_t T = mask.size(-1);
    if (run.has("in.additive_mask")) {
        // The reference's own input: real rows are those with an additive value ≥ −9000.
        const std::vector<float> additive = run.input("in.additive_mask").to_vector(), binary = mask.to_vector();
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

}  // namespace ltx2
