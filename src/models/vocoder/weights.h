#pragma once
// The vocoder's weights under their official names (prefix `vocoder.` mapped by the store):
// `conv_pre`, `ups.{i}`, `resblocks.{j}`, `conv_post` (+ `act_post`) for the 19B flat form;
// `vocoder.*`, `bwe_generator.*` and the `mel_stft.*` buffers for the LTX-2.3 BWE form.
#include <cstddef>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/vocoder/config.h"

namespace ltx2 {

struct VocoderConv {
    Tensor weight;  // Conv1d [Cout, Cin, k]; ConvTranspose1d [Cin, Cout, k]
    Tensor bias;    // [Cout]; undefined for a conv without bias
};

// Activation1d(SnakeBeta(C)) in the form the forward pass uses, made once at load: the
// per-channel α = exp(log α) and 1/(exp(log β) + 1e-9), and the checkpoint's anti-aliasing
// filters (read from the file, never recomputed; every channel uses the same taps).
struct VocoderAct1d {
    Tensor alpha;        // [C] F32
    Tensor inv_beta;     // [C] F32
    Tensor up_filter;    // [K] F32 UpSample1d.filter taps
    Tensor down_filter;  // [K] F32 DownSample1d.lowpass.filter taps
};

struct VocoderResBlockWeights {
    int kernel_size = 0;
    std::vector<int> dilations;       // one per conv of convs1 (type 1 / AMP1) / convs (type 2)
    std::vector<VocoderConv> convs1;  // type 1 / AMP1: dilated convs; type 2: `convs`
    std::vector<VocoderConv> convs2;  // type 1 / AMP1: undilated convs
    std::vector<VocoderAct1d> acts1;  // AMP1: before each convs1
    std::vector<VocoderAct1d> acts2;  // AMP1: before each convs2
};

// One generator.
struct VocoderGeneratorWeights {
    VocoderConv conv_pre;
    std::vector<VocoderConv> ups;                   // one per upsample stage
    std::vector<VocoderResBlockWeights> resblocks;  // stage i, kernel j at i * num_kernels + j
    VocoderAct1d act_post;                          // AMP1 only
    VocoderConv conv_post;
};

struct VocoderWeights {
    VocoderGeneratorWeights vocoder;
    // BWE form only.
    VocoderGeneratorWeights bwe_generator;
    Tensor stft_forward_basis;  // [n_fft + 2, 1, n_fft]: windowed cos rows, then −sin rows
    Tensor mel_basis;           // [num_mels, n_fft / 2 + 1]
    size_t tensor_count = 0;
    bool bf16 = false;  // any weight stored as BF16
};

// Loads and shape-checks every tensor the configuration implies, and refuses a file holding
// tensors the model does not use. The BWE model's weights come as F32: the reference runs it
// in float32 whatever the stored dtype.
VocoderWeights load_vocoder_weights(const WeightStore& store, const VocoderConfig& config);

}  // namespace ltx2
