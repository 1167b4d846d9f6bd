#pragma once
// Ops on the rows of token tensors x [B, T, D] (F32): a row added to every token or to chosen
// ones, per-head gates, and the denoised estimate of a velocity prediction.
#include "core/tensor.h"

namespace ltx2 {

// out[b, t, :] = x[b, t, :] + row. x F32 [B, T, D] with unit last stride (any batch / token
// strides, e.g. a column slice); row F32 [D] → new contiguous [B, T, D].
Tensor add_row(const Tensor& x, const Tensor& row);
// x[b, t, :] += row for the tokens whose mask[b, t] > 0. x F32 [B, T, D] contiguous; row F32 [D];
// mask any dtype with B·T values ([B, T] or [B, T, 1]).
void add_row_where_inplace(Tensor& x, const Tensor& row, const Tensor& mask);
// Gated attention: g = 2·sigmoid(logits[r, h]) = 2 / (1 + e^(−logits)), then
// x[r, h·hd + i] *= g (zero logits give the identity) and logits[r, h] = g.
// x F32 [..., heads·hd], logits F32 [..., heads] (heads = logits.size(-1)), both contiguous.
void apply_head_gates_inplace(Tensor& x, Tensor& logits);
// x0 = x − v·σ, σ per token (B·T values) or per sample (B values). latent and velocity [B, T, C]
// (any float dtype, read as F32) → new F32 [B, T, C].
Tensor denoised_from_velocity(const Tensor& latent, const Tensor& velocity, const Tensor& sigma);

}  // namespace ltx2
