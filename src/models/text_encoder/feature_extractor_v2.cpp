#include "models/text_encoder/feature_extractor_v2.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "ops/rows.h"
#include "ops/text_features.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/stacked_states.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr float kEps = 1e-6f;

std::string weight_name() { return std::string(kFeatureExtractorPrefix) + "video_aggregate_embed.weight"; }

}  // namespace

FeatureExtractorV2 FeatureExtractorV2::load(const WeightStore& store, Precision precision) {
    ModelWeightLoader loader(store);
    auto projection = [&](const std::string& name) {
        const std::string weight = name + ".weight";
        const Tensor stored = store.get(weight);
        LTX2_CHECK(stored.dim() == 2 && stored.size(0) >= 1 && stored.size(1) >= 1,
                   "{}: tensor '{}{}' has shape {}, expected [stream width, hidden width x hidden states]",
                   store.describe(), kFeatureExtractorPrefix, weight, shape_str(stored.shape()));
        LinearWeights w{loader.get(weight, stored.shape()), loader.get(name + ".bias", {stored.size(0)})};
        if (precision == Precision::F32) w = {w.weight.to(DType::F32), w.bias.to(DType::F32)};
        return w;
    };
    FeatureExtractorV2 fe;
    fe.precision_ = precision;
    fe.video_ = projection("video_aggregate_embed");
    fe.audio_ = projection("audio_aggregate_embed");
    LTX2_CHECK(fe.audio_.weight.size(1) == fe.in_features(),
               "{}: {}audio_aggregate_embed.weight takes {} features, but video_aggregate_embed.weight takes {} (both "
               "read the same Gemma hidden states)",
               store.describe(), kFeatureExtractorPrefix, fe.audio_.weight.size(1), fe.in_features());
    loader.reject_unused({}, fmt::format("the text feature extractor V2 under '{}' (video_aggregate_embed and "
                                         "audio_aggregate_embed only)",
                                         kFeatureExtractorPrefix));
    return fe;
}

Tensor FeatureExtractorV2::normalized_features(const std::vector<Tensor>& states) const {
    const StackedStates s = checked_states(states, in_features(), weight_name());
    const bool bf16 = precision_ == Precision::BF16;
    Tensor out = Tensor::empty({s.V, in_features()});
    rms_normalized_features(s.x, state_inverse_rms(s.x, kEps, bf16), 1.0f, bf16, 0, s.D, out);
    return out;
}

// Per stream: (x_l[v, d] · rsqrt(mean_d(x_l[v, :]²) + 1e-6)) · √(width / D), projected, plus the bias.
StreamFeatures FeatureExtractorV2::project(const std::vector<Tensor>& states) const {
    const StackedStates s = checked_states(states, in_features(), weight_name());
    const bool bf16 = precision_ == Precision::BF16;
    const Tensor r = state_inverse_rms(s.x, kEps, bf16);
    auto stream = [&](const LinearWeights& w) {
        // A Python double applied to a float32 (or bf16) tensor: rounded to float32 once.
        const float scale = float(std::sqrt(double(w.weight.size(0)) / double(s.D)));
        const Tensor out =
            project_in_slices(s, w.weight, slice_features_, [&](int64_t d0, int64_t d1, Tensor& features) {
                rms_normalized_features(s.x, r, scale, bf16, d0, d1, features);
            });
        return add_row(out.unsqueeze(0), w.bias.to(DType::F32)).reshape(out.shape());
    };
    return {stream(video_), stream(audio_)};
}

StreamFeatures FeatureExtractorV2::padding_features() const {
    return {video_.bias.to(DType::F32), audio_.bias.to(DType::F32)};
}

}  // namespace ltx2
