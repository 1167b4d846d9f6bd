#include "models/text_encoder/feature_extractor.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/stacked_states.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr float kEps = 1e-6f;
constexpr float kScale = 8.0f;
// Per hidden state: the mean and the range (+ eps) the normalisation divides by.
struct StateStats {
    float mean = 0;
    float range_eps = 1;
};

std::string weight_name() { return std::string(kFeatureExtractorPrefix) + "aggregate_embed.weight"; }

// mean = Σx / (V·D + 1e-6) with the denominator in float32; range = max − min. In bf16
// production the sum comes back as bf16 and range / range + eps stay bf16 tensors.
std::vector<StateStats> statistics(const StackedStates& s, bool bf16) {
    std::vector<StateStats> out(size_t(s.count()));
    const float denominator = float(s.V * s.D) + kEps;
#pragma omp parallel
    {
        std::vector<float> buf(size_t(s.D));
#pragma omp for schedule(dynamic)
        for (int64_t l = 0; l < s.count(); ++l) {
            double sum = 0;
            float lo = std::numeric_limits<float>::infinity(), hi = -lo;
            for (int64_t v = 0; v < s.V; ++v) {
                const float* x = state_row(s.x[size_t(l)], v, 0, s.D, bf16, buf.data());
                for (int64_t d = 0; d < s.D; ++d) {
                    sum += double(x[d]);
                    lo = std::min(lo, x[d]);
                    hi = std::max(hi, x[d]);
                }
            }
            float total = float(sum), range = hi - lo;
            if (bf16) {
                total = round_to_bf16(total);
                range = round_to_bf16(range);
            }
            float range_eps = range + kEps;
            if (bf16) range_eps = round_to_bf16(range_eps);
            out[size_t(l)] = {total / denominator, range_eps};
        }
    }
    return out;
}

inline void store_feature(float y, bool bf16, float* dst) { *dst = bf16 ? round_to_bf16(y) : y; }
inline void store_feature(float y, bool, uint16_t* dst) { *dst = f32_to_bf16(y); }

// out[v·ld + (d − d0)·n + l] = 8·(x_l[v, d] − mean_l) / range_eps_l for d in [d0, d1), n states.
template <class Out>
void fill_features(const StackedStates& s, const std::vector<StateStats>& stats, bool bf16, int64_t d0, int64_t d1, Out* out,
                   int64_t ld) {
    const int64_t n = s.count(), width = d1 - d0;
#pragma omp parallel
    {
        std::vector<float> buf(static_cast<size_t>(width));
#pragma omp for schedule(static)
        for (int64_t v = 0; v < s.V; ++v) {
            Out* row = out + v * ld;
            for (int64_t l = 0; l < n; ++l) {
                const float* x = state_row(s.x[size_t(l)], v, d0, width, bf16, buf.data());
                const float mean = stats[size_t(l)].mean, range_eps = stats[size_t(l)].range_eps;
                for (int64_t j = 0; j < width; ++j) store_feature((kScale * (x[j] - mean)) / range_eps, bf16, row + j * n + l);
            }
        }
    }
}

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
    Tensor out = Tensor::zeros({s.V, in_features()});
    fill_features(s, statistics(s, bf16), bf16, 0, s.D, out.f32(), in_features());
    return out;
}

Tensor FeatureExtractor::project(const std::vector<Tensor>& states) const {
    const StackedStates s = checked_states(states, in_features(), weight_name());
    const bool bf16 = precision_ == Precision::BF16;
    const std::vector<StateStats> stats = statistics(s, bf16);
    return project_in_slices(s, weight_, slice_features_, [&](int64_t d0, int64_t d1, Tensor& features) {
        if (features.dtype() == DType::BF16)
            fill_features(s, stats, bf16, d0, d1, features.bf16(), features.size(1));
        else
            fill_features(s, stats, bf16, d0, d1, features.f32(), features.size(1));
    });
}

}  // namespace ltx2
