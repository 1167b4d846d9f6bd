#pragma once
// 3-D neighborhood attention with natten `na3d` window semantics: along an axis of length L
// and kernel k' = min(k, L), the query at i sees keys [s, s + k'), s = clamp(i − k'/2, 0, L − k')
// (windows shift inward at the borders, nothing is padded). Softmax in F32 over the window box.
#include <array>

#include "core/tensor.h"
#include "kernels/cpu/attention.h"

namespace ltx2::cpu {

// q, k, v [B, T, H, W, heads·D] F32 contiguous; q already carries the score scale. Returns
// [B, T, H, W, heads·D]: per head, softmax(q·kᵀ over the window)·v. Precision::BF16 rounds q, k,
// v and the softmax weights to bf16 for the two products (f32 accumulation, f32 softmax).
Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const std::array<int, 3>& kernel, Precision precision = Precision::F32);

// First key index of the window of query i along an axis of length `length` (natten na3d).
inline int64_t neighborhood_window_start(int64_t i, int64_t length, int64_t kernel) {
    const int64_t kk = kernel < length ? kernel : length;
    const int64_t s = i - kk / 2;
    return s < 0 ? 0 : (s > length - kk ? length - kk : s);
}

}  // namespace ltx2::cpu
