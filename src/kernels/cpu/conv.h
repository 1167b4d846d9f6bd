#pragma once
// Convolutions (1-, 2- and 3-D, plain and transposed) through oneDNN, and explicit padding.
//
// Layouts follow torch: x [B, Cin, *spatial] (NCW / NCHW / NCDHW), conv weight
// [Cout, Cin/groups, *k], transposed-conv weight [Cin, Cout/groups, *k], bias [Cout].
// Activations and outputs are float32; weights may be F32 or BF16. Products at `precision`, as
// linear's: BF16 rounds the input (and an F32 weight, per call, uncached) to BF16 (round to
// nearest even) and accumulates in F32; F32 widens a BF16 weight per call (uncached).
//
// The kernels pad with zeros only. A model that needs causal / reflect / replicate padding
// calls pad_nd first and passes zero padding to the convolution.
//
// Weight cache: oneDNN's fastest convolutions want weights in a blocked layout. The
// reordered copy is cached, keyed by the weight's storage (data pointer, shape, dtype and the
// target layout). An entry lives until the weight's Storage is destroyed (it is then dropped
// at the next insertion) or until clear_conv_weight_cache(). The cache assumes weight data is
// immutable while cached: after changing a weight in place (e.g. fusing a LoRA delta) call
// clear_conv_weight_cache(), or pass ConvParams::cache_weights = false.
//
// Activations are reordered to the primitive's preferred (channels-last) layout through the
// calling thread's grow-only kernel scratch (cpu::thread_scratch(): layout_in and layout_out, each kept up
// to 256 MiB; larger copies are allocated per call); oneDNN's scratchpad uses its primitive buffer.
#include <cstdint>
#include <vector>

#include "ops/op_params.h"

namespace ltx2::cpu {



// out[b, co, o...] = bias[co] + Σ x_padded[b, ci, o·s + k·d] · w[co, ci, k]
// Output length per dim: (L + pb + pa − d·(k − 1) − 1) / s + 1 (floor), must be ≥ 1.
Tensor conv_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvParams& p, Precision precision);

// Output length per dim: (L − 1)·s − pb − pa + d·(k − 1) + output_padding + 1.
Tensor conv_transpose_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTransposeParams& p,
                         Precision precision);


// Pads the last before.size() dims (before and after have equal length, 1 to 5 entries,
// entry i for dim dim() − n + i). Pads must be ≥ 0 (Constant also takes negative pads, which
// crop). x F32 or BF16, any strides; the result is contiguous, same dtype.
Tensor pad_nd(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
              PadMode mode, float value = 0.f);

// Drops every cached reordered weight (see the note above).
void clear_conv_weight_cache();
// Number of cached reordered weights (for tests / diagnostics).
size_t conv_weight_cache_size();

}  // namespace ltx2::cpu
