#pragma once
// LTX-2.3's text feature extractor (FeatureExtractorV2, `text_embedding_projection`): every
// Gemma hidden state of every token is RMS-normalised on its own,
//     y_l[v] = x_l[v] · rsqrt(mean_d(x_l[v]²) + 1e-6),
// the states are interleaved per channel (feature d·(L+1) + l), and each stream projects them
// straight to its width W (video, audio) with bias, the input rescaled by sqrt(W / D):
//     video = video_aggregate_embed(y · sqrt(Wv / D)),  audio = audio_aggregate_embed(y · sqrt(Wa / D)).
// No statistics cross tokens, so padding rows do not influence the real ones.
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "core/precision.h"
#include "models/transformer/weights.h"

namespace ltx2 {

struct StreamFeatures {
    Tensor video;  // [V, Wv] F32
    Tensor audio;  // [V, Wa] F32
};

class FeatureExtractorV2 {
public:
    // `store` opened with prefix kFeatureExtractorPrefix; the widths come from the stored
    // projections. F32: F32 copies of the weights (float32 reference arithmetic); BF16: stored
    // weights used in place, the statistics, rescale and features rounded as bf16 production does.
    static FeatureExtractorV2 load(const WeightStore& store, Precision precision);

    int64_t in_features() const { return video_.weight.size(1); }  // D · (L+1)
    int64_t video_width() const { return video_.weight.size(0); }
    int64_t audio_width() const { return audio_.weight.size(0); }
    Precision precision() const { return precision_; }
    const LinearWeights& video_projection() const { return video_; }
    const LinearWeights& audio_projection() const { return audio_; }

    // `states`: the L+1 hidden states of the real tokens only, each [V, D] (F32 or BF16).
    // The normalised, interleaved features [V, D·(L+1)] F32, before the rescale (BF16
    // precision: rounded as bf16). Materialises everything: for checks and debugging.
    Tensor normalized_features(const std::vector<Tensor>& states) const;
    // Both projections, built a slice of channels at a time (the full feature matrix never exists).
    StreamFeatures project(const std::vector<Tensor>& states) const;
    // What a padding row (zero features) projects to: the biases [Wv], [Wa] F32.
    StreamFeatures padding_features() const;

    // Features per slice of project() (rounded down to whole channels, at least one); 0 = automatic.
    void set_slice_features(int64_t n) { slice_features_ = n; }

private:
    LinearWeights video_;  // [Wv, D·(L+1)], [Wv]
    LinearWeights audio_;  // [Wa, D·(L+1)], [Wa]
    Precision precision_ = Precision::F32;
    int64_t slice_features_ = 0;
};

}  // namespace ltx2
