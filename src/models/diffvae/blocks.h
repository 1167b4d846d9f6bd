#pragma once
// The DiffVAE's transformer blocks on channels-last volumes [B, T, H, W, C] (F32).
#include "core/tensor.h"
#include "ops/attention.h"
#include "models/diffvae/config.h"
#include "models/diffvae/weights.h"

namespace ltx2 {

// Attention geometry of one stage.
struct DiffVaeAttentionShape {
    int heads = 1, head_dim = 0;
    Int3 rope_split{};
    Int3 kernel{};
    Precision precision = Precision::F32;  // of the attention products
};

// proj(NA(q, k, v)) of y [B, T, H, W, C]: per-head RMS-normed q (· head_dim^−½) and k, 3-axis
// RoPE (column positions start at w_position0), neighborhood attention with natten windows.
Tensor diffvae_attention(const DiffVaeAttention& a, const Tensor& y, const DiffVaeAttentionShape& shape,
                         int64_t w_position0);

// x += W_down(silu(W_gate·y) ⊙ (W_up·y)), y = rms(x, norm)·(1 + scale) + shift (scale / shift
// undefined: plain RMSNorm). Processed in token chunks to bound the hidden activations.
void diffvae_swiglu_residual(const DiffVaeSwiGLU& mlp, const Tensor& norm, const Tensor& scale, const Tensor& shift,
                             Tensor& x);

// y = linear(rms(x, norm)) row by row in token chunks (norm undefined: no norm), so that no
// full-volume temporary of x's width is made. x [..., C_in] -> [..., C_out].
Tensor diffvae_project_rows(const Tensor& x, const Tensor& norm, const DiffVaeLinear& l);

// One deterministic NA block, in place.
void diffvae_na_block(const DiffVaeNABlock& b, const DiffVaeAttentionShape& shape, Tensor& x);

// Timestep modulation of one diffusion block: F32 [1, 1, C5] rows.
struct DiffVaeModulation {
    Tensor scale_msa, shift_msa, scale_mlp, shift_mlp;
};

// One diffusion block, in place on x [B, F, H, W, C5]: x += context_proj(context_up) (the
// upsampled stage-4 context, same volume), then the attention residual computed on `w_chunks`
// W slabs with edge-replicated halos (see the .cpp), then the modulated SwiGLU residual.
void diffvae_diffusion_block(const DiffVaeDiffusionBlock& b, const DiffVaeAttentionShape& shape,
                             const DiffVaeModulation& mod, const Tensor& context_up, int w_chunks, Tensor& x);

}  // namespace ltx2
