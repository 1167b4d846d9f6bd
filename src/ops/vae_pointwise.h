#pragma once
// Pointwise ops of the VAEs and the DiffVAE that ops/elementwise.h does not have (F32).
#include "core/tensor.h"

namespace ltx2 {

// x = x · factor; x contiguous, in place.
void scale_inplace(Tensor& x, float factor);
// x = x · y; x contiguous, in place; y of x's shape (any strides).
void mul_inplace(Tensor& x, const Tensor& y);
// y = a · alpha + beta · b; a, b of one shape (any strides); y new, contiguous.
Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta);

}  // namespace ltx2
