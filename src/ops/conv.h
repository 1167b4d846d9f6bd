#pragma once
// Convolutions (1-, 2- and 3-D, plain and transposed) and explicit padding.
//
// Layouts follow torch: x [B, Cin, *spatial] (NCW / NCHW / NCDHW), conv weight
// [Cout, Cin/groups, *k], transposed-conv weight [Cin, Cout/groups, *k], bias [Cout].
// Activations and outputs are float32; weights may be F32 or BF16. The products run at
// product_precision(weight.dtype()) (core/precision.h), as linear's do: BF16 rounds the input and
// the weight to BF16 (round to nearest even) and accumulates in F32; F32 widens a BF16 weight.
// The convolutions pad with zeros only: causal / reflect / replicate padding is pad_nd first.
#include "ops/op_params.h"

namespace ltx2 {

// out[b, co, o...] = bias[co] + Σ x_padded[b, ci, o·s + k·d] · w[co, ci, k]
// Output length per dim: (L + pb + pa − d·(k − 1) − 1) / s + 1 (floor), must be ≥ 1.
Tensor conv_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvParams& p);
// Output length per dim: (L − 1)·s − pb − pa + d·(k − 1) + output_padding + 1.
Tensor conv_transpose_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTransposeParams& p);
// Pads the last before.size() dims (before and after have equal length, 1 to 5 entries,
// entry i for dim dim() − n + i). Pads must be ≥ 0 (Constant also takes negative pads, which
// crop). x F32 or BF16, any strides; the result is contiguous, same dtype.
Tensor pad_nd(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
              PadMode mode, float value = 0.f);

}  // namespace ltx2
