#pragma once
// LTX-2's text feature extractor (`text_embedding_projection`): each of the L+1 Gemma hidden
// states is normalised by its own statistics over the real tokens,
//     y_l = 8 · (x_l − mean_l) / (max_l − min_l + 1e-6),   mean_l = Σ x_l / (V·D + 1e-6),
// the states are interleaved per channel (feature d·(L+1) + l) and projected by
// aggregate_embed [C, D·(L+1)] (no bias).
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "core/precision.h"

namespace ltx2 {

class FeatureExtractor {
public:
    // `store` opened with prefix kFeatureExtractorPrefix. F32: the weight is converted to an F32
    // copy (float32 reference arithmetic); BF16: the stored weight is used in place and the
    // statistics follow the bf16 production rounding.
    static FeatureExtractor load(const WeightStore& store, Precision precision);

    int64_t in_features() const { return weight_.size(1); }   // D · (L+1)
    int64_t out_features() const { return weight_.size(0); }  // C
    Precision precision() const { return precision_; }
    const Tensor& weight() const { return weight_; }

    // `states`: the L+1 hidden states of the real tokens only, each [V, D] (F32 or BF16).
    // The normalised, interleaved features [V, D·(L+1)] F32 (BF16 precision: rounded to bf16,
    // the values the projection consumes). Materialises everything: for checks and debugging.
    Tensor normalized_features(const std::vector<Tensor>& states) const;
    // features · aggregate_embedᵀ → [V, C] F32, built and multiplied a slice of channels at a
    // time so the full [V, D·(L+1)] matrix never exists.
    Tensor project(const std::vector<Tensor>& states) const;

    // Features per slice of project() (rounded down to whole channels, at least one); 0 = automatic.
    void set_slice_features(int64_t n) { slice_features_ = n; }

private:
    Tensor weight_;  // [C, D·(L+1)]
    Precision precision_ = Precision::F32;
    int64_t slice_features_ = 0;
};

}  // namespace ltx2
