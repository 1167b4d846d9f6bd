#pragma once
// Weights of the LTX-2.5 DiffVAE decoder, by the official module paths (`vae.decoder.*`,
// `vae.per_channel_statistics.*`). The release file fuses each attention's q, k, v
// projections into one `attn.qkv` tensor (rows q | k | v); they are split into views here.
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/diffvae/config.h"

namespace ltx2 {

struct DiffVaeLinear {
    Tensor weight;  // [out, in], F32 or BF16
    Tensor bias;    // [out] F32, or undefined
};

struct DiffVaeAttention {
    DiffVaeLinear q, k, v, proj;
    Tensor q_norm, k_norm;  // [head_dim]
};

struct DiffVaeSwiGLU {
    Tensor w_gate, w_up, w_down;  // no biases
};

// Pre-norm block: x += proj(NA(rms(x))); x += SwiGLU(rms(x)).
struct DiffVaeNABlock {
    Tensor norm1, norm2;  // [C]
    DiffVaeAttention attn;
    DiffVaeSwiGLU mlp;
};

// Stage-5 block: context injection, then the NA block's two residuals modulated by the timestep.
struct DiffVaeDiffusionBlock {
    DiffVaeNABlock na;
    DiffVaeLinear context_proj;
    Tensor scale_shift_table;  // F32 [7, C5]
};

// How the linear weights are held. F32: converted at load, activations stay float32 (the
// golden's arithmetic). BF16: kept as stored (zero-copy); each product rounds its input to bf16.
enum class DiffVaeWeightPrecision { F32, BF16 };

struct DiffVaeWeights {
    Tensor std_of_means, mean_of_means;  // F32 [in_channels]
    DiffVaeLinear conv_in;
    std::vector<std::vector<DiffVaeNABlock>> stages;  // deterministic stages 1-4
    std::vector<DiffVaeLinear> upsamples;             // after stages 1-4
    DiffVaeLinear t_linear_1, t_linear_2;             // timestep MLP (t_embedder.mlp.0 / .2)
    DiffVaeLinear adaln;                              // shared_adaln.proj: t_emb -> 7 · C5
    DiffVaeLinear conv_in_x_t;                        // patchified pixels -> C5
    std::vector<DiffVaeDiffusionBlock> diff_blocks;
    Tensor norm_out;
    DiffVaeLinear conv_out;
};

// Reads every decoder tensor (store prefix "vae."); fails naming the file and each tensor no
// step used, except the encoder's (`encoder.*`) and the bundled preview head (`decoder.coarse_*`,
// dropped as the reference's loader does).
DiffVaeWeights load_diffvae_weights(const WeightStore& store, const DiffVaeConfig& config,
                                    DiffVaeWeightPrecision precision);

}  // namespace ltx2
