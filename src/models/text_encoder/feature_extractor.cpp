#include "models/text_encoder/feature_extractor.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/linear.h"
#include "models/text_encoder/config.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr float kEps = 1e-6f;
constexpr float kScale = 8.0f;
constexpr int64_t kAutoSliceFeatures = 16384;  // ~32 MiB of bf16 features per slice at V = 1024

// Per hidden state: the mean and the range (+ eps) the normalisation divides by.
struct StateStats {
    float mean = 0;
    float range_eps = 1;
};

// The hidden states as contiguous [V, D] tensors, checked against each other and the weight.
struct States {
    std::vector<Tensor> x;
    int64_t V = 0, D = 0;
    int64_t count() const { return int64_t(x.size()); }
};

States checked_states(const std::vector<Tensor>& states, int64_t in_features) {
    LTX2_CHECK(!states.empty(), "feature extractor: no hidden states given");
    States s;
    for (size_t l = 0; l < states.size(); ++l) {
        const Tensor& x = states[l];
        LTX2_CHECK(x.defined() && x.dim() == 2, "feature extractor: hidden state {} has shape {}, expected [V, D] "
                   "(real tokens x hidden width)", l, x.defined() ? shape_str(x.shape()) : "undefined");
        LTX2_CHECK(x.dtype() == DType::F32 || x.dtype() == DType::BF16,
                   "feature extractor: hidden state {} has dtype {}, expected F32 or BF16", l, dtype_name(x.dtype()));
        if (l == 0) {
            s.V = x.size(0);
            s.D = x.size(1);
        }
        LTX2_CHECK(x.size(0) == s.V && x.size(1) == s.D,
                   "feature extractor: hidden state {} has shape {}, but hidden state 0 is [{}, {}]", l,
                   shape_str(x.shape()), s.V, s.D);
        s.x.push_back(x.contiguous());
    }
    LTX2_CHECK(s.V >= 1 && s.D >= 1, "feature extractor: the hidden states are [{}, {}]; at least one real token "
               "and one channel are needed", s.V, s.D);
    LTX2_CHECK(s.count() * s.D == in_features,
               "feature extractor: {} hidden states of width {} give {} features, but {}aggregate_embed.weight takes "
               "{} (number of hidden states x hidden width)",
               s.count(), s.D, s.count() * s.D, kFeatureExtractorPrefix, in_features);
    return s;
}

// Values [d0, d0 + n) of row r, rounded to bf16 when `bf16` (production reads bf16 states).
// Points into the tensor when no conversion is needed, else fills `buf`.
const float* row_values(const Tensor& x, int64_t r, int64_t d0, int64_t n, bool bf16, float* buf) {
    const int64_t D = x.size(1);
    if (x.dtype() == DType::BF16) {
        const uint16_t* p = x.bf16() + r * D + d0;
        for (int64_t i = 0; i < n; ++i) buf[i] = bf16_to_f32(p[i]);
        return buf;
    }
    const float* p = x.f32() + r * D + d0;
    if (!bf16) return p;
    for (int64_t i = 0; i < n; ++i) buf[i] = round_to_bf16(p[i]);
    return buf;
}

// mean = Σx / (V·D + 1e-6) with the denominator in float32; range = max − min. In bf16
// production the sum comes back as bf16 and range / range + eps stay bf16 tensors.
std::vector<StateStats> statistics(const States& s, bool bf16) {
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
                const float* x = row_values(s.x[size_t(l)], v, 0, s.D, bf16, buf.data());
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
void fill_features(const States& s, const std::vector<StateStats>& stats, bool bf16, int64_t d0, int64_t d1, Out* out,
                   int64_t ld) {
    const int64_t n = s.count(), width = d1 - d0;
#pragma omp parallel
    {
        std::vector<float> buf(static_cast<size_t>(width));
#pragma omp for schedule(static)
        for (int64_t v = 0; v < s.V; ++v) {
            Out* row = out + v * ld;
            for (int64_t l = 0; l < n; ++l) {
                const float* x = row_values(s.x[size_t(l)], v, d0, width, bf16, buf.data());
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
    FeatureExtractor fe;
    fe.precision_ = precision;
    fe.weight_ = precision == Precision::F32 ? w.to(DType::F32) : w;
    return fe;
}

Tensor FeatureExtractor::normalized_features(const std::vector<Tensor>& states) const {
    const States s = checked_states(states, in_features());
    const bool bf16 = precision_ == Precision::BF16;
    Tensor out = Tensor::zeros({s.V, in_features()});
    fill_features(s, statistics(s, bf16), bf16, 0, s.D, out.f32(), in_features());
    return out;
}

Tensor FeatureExtractor::project(const std::vector<Tensor>& states) const {
    const States s = checked_states(states, in_features());
    const bool bf16 = precision_ == Precision::BF16;
    const std::vector<StateStats> stats = statistics(s, bf16);
    const int64_t n = s.count();
    const int64_t wanted = slice_features_ > 0 ? slice_features_ : kAutoSliceFeatures;
    const int64_t channels = std::clamp<int64_t>(wanted / n, 1, s.D);
    const int64_t ld = channels * n;

    // The features are built in the weight's dtype: a bf16 weight takes bf16 features directly.
    const bool bf16_operand = weight_.dtype() == DType::BF16;
    Tensor features = Tensor::zeros({s.V, ld}, bf16_operand ? DType::BF16 : DType::F32);
    Tensor out = Tensor::zeros({s.V, out_features()});
    Tensor partial;
    for (int64_t d0 = 0; d0 < s.D; d0 += channels) {
        const int64_t d1 = std::min(s.D, d0 + channels);
        if (bf16_operand)
            fill_features(s, stats, bf16, d0, d1, features.bf16(), ld);
        else
            fill_features(s, stats, bf16, d0, d1, features.f32(), ld);
        const Tensor a = features.slice(1, 0, (d1 - d0) * n);
        const Tensor b = weight_.slice(1, d0 * n, d1 * n).transpose(0, 1);
        if (d0 == 0) {
            matmul(a, b, out);
            continue;
        }
        if (!partial.defined()) partial = Tensor::zeros(out.shape());
        matmul(a, b, partial);
        add_inplace(out, partial);
    }
    return out;
}

}  // namespace ltx2
