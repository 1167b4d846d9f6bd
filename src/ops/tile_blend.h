#pragma once
// Blending overlapping tiles of a video (the VAEs' and the DiffVAE's tiled decode and encode):
// each tile is weighted by a separable mask and summed into place, and where the masks do not
// sum to one the sum is divided by the summed weights.
#include "core/tensor.h"
#include "ops/vae_params.h"

namespace ltx2 {

// values[b, c, f, y, x] += tile[b, c, f, y, x] · m(f, y, x), with the mask
// m(f, y, x) = m_t[f], m_h[y], m_w[x] multiplied in `order` (ops/vae_params.h). When weights
// is defined, weights[b', c', f, y, x] += (m_t[f] · m_h[y]) · m_w[x] once per element of
// weights. values: an F32 view [B, C, F, H, W] (e.g. a tile's place in a bigger video) whose
// last stride is 1, written through; weights: undefined or such a view [B' ∈ {1, B},
// C' ∈ {1, C}, F, H, W]; tile F32 [B, C, F, H, W] (any strides); masks F32 [F], [H], [W].
void accumulate_masked_tile(const Tensor& values, const Tensor& weights, const Tensor& tile, const Tensor& mask_t,
                            const Tensor& mask_h, const Tensor& mask_w, MaskProduct order);

// out = values / max(weights, 1e-8) elementwise, weights broadcast against values. values F32
// (any strides); weights F32 of values' rank, each dimension 1 or values'; out F32 contiguous
// of values' shape (it may be values itself).
void divide_by_weights(const Tensor& values, const Tensor& weights, Tensor& out);

}  // namespace ltx2
