#include "models/text_encoder/feature_extractor.h"

#include "core/error.h"
#include "ops/text_features.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/stacked_states.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr float kEps = 1e-6f;
constexpr float kScale = 8.0f;

std::string weight_name() { return std::string(kFeatureExtractorPrefix) + "aggregate_embed.weight"; }

}  // namespace

FeatureExtractor FeatureExtractor::load(const WeightStore& store, Precision precision) {
    const std::string name = "aggregate_embed.weight";
    const Tensor stored = store.get(name);
    LTX2_CHECK(stored.dim() == 2 && stored.size(0) >= 1 && stored.size(1) >= 1,
               "{}: tensor '{}{}' has shape {}, expected [output width, hidden width x hidden states]",
               store.describe(), kFeatureExtractorPrefix, name, shape_str(stored.shape()));
    LTX2_CHECK(!store.has("aggregate_embed.bias"),
               "{}: unexpected tensor '{}aggregate_embed.bias': the projection has no bias", store.describe(),
               kFeatureExtractorPrefix);
    ModelWeightLoader loader(store);
    const Tensor w = loader.get(name, stored.shape());
    loader.reject_unused({}, fmt::format("the text feature extractor V1 under '{}' (aggregate_embed only)",
                                         kFeatureExtractorPrefix));
    FeatureExtractor fe;
    fe.precision_ = precision;
    fe.weight_ = precision == Precision::F32 ? w.to(DType::F32) : w;
    return fe;
}

Tensor FeatureExtractor::normalized_features(const std::vector<Tensor>& states) const {
    const StackedStates s = checked_states(states, in_features(), weight_name());
    const bool bf16 = precision_ == Precision::BF16;
    Tensor out = Tensor::empty({s.V, in_features()});
    range_normalized_features(s.x, state_mean_range(s.x, kEps, bf16), kScale, bf16, 0, s.D, out);
    return out;
}

// 8·(x_l[v, d] − mean_l) / (range_l + 1e-6), mean and range over all of state l.
Tensor FeatureExtractor::project(const std::vector<Tensor>& states) const {
    const StackedStates s = checked_states(states, in_features(), weight_name());
    const bool bf16 = precision_ == Precision::BF16;
    const Tensor stats = state_mean_range(s.x, kEps, bf16);
    return project_in_slices(s, weight_, slice_features_, [&](int64_t d0, int64_t d1, Tensor& features) {
        range_normalized_features(s.x, stats, kScale, bf16, d0, d1, features);
    });
}

}  // namespace ltx2
