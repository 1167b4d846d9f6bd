#pragma once
// The vocoder's weights under their official names (prefix `vocoder.` mapped by the store).
#include <cstddef>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/vocoder/config.h"

namespace ltx2 {

struct VocoderConv {
    Tensor weight;  // Conv1d [Cout, Cin, k]; ConvTranspose1d [Cin, Cout, k]
    Tensor bias;    // [Cout]
};

struct VocoderResBlockWeights {
    int kernel_size = 0;
    std::vector<int> dilations;      // one per conv of convs1 (type 1) / convs (type 2)
    std::vector<VocoderConv> convs1;  // type 1: dilated convs; type 2: `convs`
    std::vector<VocoderConv> convs2;  // type 1 only: undilated convs
};

struct VocoderWeights {
    VocoderConv conv_pre;
    std::vector<VocoderConv> ups;                      // one per upsample stage
    std::vector<VocoderResBlockWeights> resblocks;     // stage i, kernel j at i * num_kernels + j
    VocoderConv conv_post;
    size_t tensor_count = 0;
    bool bf16 = false;  // any weight stored as BF16
};

// Loads and shape-checks every tensor the configuration implies.
VocoderWeights load_vocoder_weights(const WeightStore& store, const VocoderConfig& config);

}  // namespace ltx2
