#include "models/text_encoder/feature_extractor_v2.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/stacked_states.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr float kEps = 1e-6f;

std::string weight_name() { return std::string(kFeatureExtractorPrefix) + "video_aggregate_embed.weight"; }

// r[v·(L+1) + l] = rsqrt(mean_d(x_l[v, d]²) + 1e-6). In bf16 production x², the mean, the sum
// with eps and the rsqrt each come back as bf16.
std::vector<float> inverse_rms(const StackedStates& s, bool bf16) {
    const int64_t n = s.count();
    std::vector<float> r(size_t(s.V * n));
    auto round = [bf16](float v) { return bf16 ? round_to_bf16(v) : v; };
#pragma omp parallel
    {
        std::vector<float> buf(static_cast<size_t>(s.D));
#pragma omp for schedule(static)
        for (int64_t v = 0; v < s.V; ++v)
            for (int64_t l = 0; l < n; ++l) {
                const float* x = state_row(s.x[size_t(l)], v, 0, s.D, bf16, buf.data());
                double sum = 0;
                for (int64_t d = 0; d < s.D; ++d) sum += double(round(x[d] * x[d]));
                const float variance = round(float(sum / double(s.D)));
                r[size_t(v * n + l)] = round(1.0f / std::sqrt(round(variance + kEps)));
            }
    }
    return r;
}

inline void store_feature(float y, bool bf16, float* dst) { *dst = bf16 ? round_to_bf16(y) : y; }
inline void store_feature(float y, bool, uint16_t* dst) { *dst = f32_to_bf16(y); }

// out[v·ld + (d − d0)·n + l] = (x_l[v, d] · r[v, l]) · scale for d in [d0, d1), n states; in bf16
// production the normalised value is rounded before the rescale.
template <class Out>
void fill_features(const StackedStates& s, const std::vector<float>& r, float scale, bool bf16, int64_t d0, int64_t d1,
                   Out* out, int64_t ld) {
    const int64_t n = s.count(), width = d1 - d0;
#pragma omp parallel
    {
        std::vector<float> buf(static_cast<size_t>(width));
#pragma omp for schedule(static)
        for (int64_t v = 0; v < s.V; ++v) {
            Out* row = out + v * ld;
            for (int64_t l = 0; l < n; ++l) {
                const float* x = state_row(s.x[size_t(l)], v, d0, width, bf16, buf.data());
                const float rl = r[size_t(v * n + l)];
                for (int64_t j = 0; j < width; ++j) {
                    float y = x[j] * rl;
                    if (bf16) y = round_to_bf16(y);
                    store_feature(y * scale, bf16, row + j * n + l);
                }
            }
        }
    }
}

// out[v, :] += bias
void add_bias(Tensor& out, const Tensor& bias) {
    const std::vector<float> b = bias.to_vector();
    const int64_t rows = out.size(0), width = out.size(1);
    float* o = out.f32();
    for (int64_t v = 0; v < rows; ++v)
        for (int64_t j = 0; j < width; ++j) o[v * width + j] += b[size_t(j)];
}

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
    Tensor out = Tensor::zeros({s.V, in_features()});
    fill_features(s, inverse_rms(s, bf16), 1.0f, bf16, 0, s.D, out.f32(), in_features());
    return out;
}

StreamFeatures FeatureExtractorV2::project(const std::vector<Tensor>& states) const {
    const StackedStates s = checked_states(states, in_features(), weight_name());
    const bool bf16 = precision_ == Precision::BF16;
    const std::vector<float> r = inverse_rms(s, bf16);
    auto stream = [&](const LinearWeights& w) {
        // A Python double applied to a float32 (or bf16) tensor: rounded to float32 once.
        const float scale = float(std::sqrt(double(w.weight.size(0)) / double(s.D)));
        Tensor out = project_in_slices(s, w.weight, slice_features_, [&](int64_t d0, int64_t d1, Tensor& features) {
            if (features.dtype() == DType::BF16)
                fill_features(s, r, scale, bf16, d0, d1, features.bf16(), features.size(1));
            else
                fill_features(s, r, scale, bf16, d0, d1, features.f32(), features.size(1));
        });
        add_bias(out, w.bias);
        return out;
    };
    return {stream(video_), stream(audio_)};
}

StreamFeatures FeatureExtractorV2::padding_features() const {
    return {video_.bias.to(DType::F32), audio_.bias.to(DType::F32)};
}

}  // namespace ltx2
