#include "models/text_encoder/stacked_states.h"

#include <algorithm>

#include "core/error.h"
#include "ops/elementwise.h"
#include "ops/linear.h"

namespace ltx2 {

namespace {

constexpr int64_t kAutoSliceFeatures = 16384;  // ~32 MiB of bf16 features per slice at V = 1024

}  // namespace

StackedStates checked_states(const std::vector<Tensor>& states, int64_t in_features, const std::string& weight_name) {
    LTX2_CHECK(!states.empty(), "feature extractor: no hidden states given");
    StackedStates s;
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
               "feature extractor: {} hidden states of width {} give {} features, but {} takes {} (number of hidden "
               "states x hidden width)",
               s.count(), s.D, s.count() * s.D, weight_name, in_features);
    return s;
}

Tensor project_in_slices(const StackedStates& s, const Tensor& weight, int64_t slice_features,
                         const FeatureSliceFill& fill) {
    const int64_t n = s.count();
    const int64_t wanted = slice_features > 0 ? slice_features : kAutoSliceFeatures;
    const int64_t channels = std::clamp<int64_t>(wanted / n, 1, s.D);
    const int64_t ld = channels * n;

    // The features are built in the weight's dtype: a bf16 weight takes bf16 features directly.
    Tensor features = Tensor::zeros({s.V, ld}, weight.dtype() == DType::BF16 ? DType::BF16 : DType::F32);
    Tensor out = Tensor::zeros({s.V, weight.size(0)});
    Tensor partial;
    for (int64_t d0 = 0; d0 < s.D; d0 += channels) {
        const int64_t d1 = std::min(s.D, d0 + channels);
        fill(d0, d1, features);
        const Tensor a = features.slice(1, 0, (d1 - d0) * n);
        const Tensor b = weight.slice(1, d0 * n, d1 * n).transpose(0, 1);
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
